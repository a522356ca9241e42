"""The autodiff engine against finite differences (lecture 02), analytic derivatives and torch.

Every reverse-mode gradient here is compared with an independent reference: a centered
difference from ``course_lib.derivatives`` (tolerance 1e-6 relative: the difference's own
accuracy at the default step), a derivative written out by hand (1e-12), or
``torch.autograd`` in float64 (1e-12) where torch is installed.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from course_lib import autodiff as ad
from course_lib import derivatives

FD_RTOL = 1e-6


def fd_gradient(f, x):
    """The centered-difference gradient of a scalar f of one array (lecture 02), any shape."""
    x = np.asarray(x, dtype=float)
    flat = derivatives.gradient(lambda z: float(f(z.reshape(x.shape))), x.ravel(), vectorized=False)
    return flat.reshape(x.shape)


def assert_close_to_fd(got, expected):
    scale = max(1.0, float(np.max(np.abs(expected))))
    np.testing.assert_allclose(got, expected, rtol=FD_RTOL, atol=FD_RTOL * scale)


# --------------------------------------------------------------------------- strategies


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast together: one drops leading axes and sets some to 1."""
    full = draw(st.lists(st.integers(1, 4), min_size=0, max_size=3))
    dropped = draw(st.integers(0, len(full)))
    other = [1 if draw(st.booleans()) else n for n in full[dropped:]]
    shapes = (tuple(full), tuple(other))
    return shapes if draw(st.booleans()) else shapes[::-1]


def arrays(rng, shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape)


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "maximum": ad.maximum,
}


# --------------------------------------------------------------------------- binary ops


@settings(max_examples=60, deadline=None)
@given(shapes=broadcast_pair(), op=st.sampled_from(sorted(BINARY)), seed=st.integers(0, 2**16))
def test_binary_ops_with_broadcasting_match_finite_differences(shapes, op, seed):
    rng = np.random.default_rng(seed)
    a0, b0 = arrays(rng, shapes[0]), arrays(rng, shapes[1])
    if op == "div":
        b0 = np.sign(b0) * (0.5 + np.abs(b0))  # away from 0
    if op == "maximum":
        assume(np.min(np.abs(np.subtract(a0, b0))) > 1e-3)  # no kink within the FD step
    out_shape = np.broadcast_shapes(a0.shape, b0.shape)
    weights = arrays(rng, out_shape)

    def f(a, b):
        return ad.sum(BINARY[op](a, b) * weights)

    ga, gb = ad.grad(f, argnums=(0, 1))(a0, b0)
    assert ga.shape == a0.shape and gb.shape == b0.shape
    assert_close_to_fd(ga, fd_gradient(lambda a: f(a, b0), a0))
    assert_close_to_fd(gb, fd_gradient(lambda b: f(a0, b), b0))


def test_binary_ops_accept_constants_on_either_side():
    x0 = np.array([1.0, 2.0, 4.0])
    cases = {
        lambda x: 3.0 + x: np.ones(3),
        lambda x: 3.0 - x: -np.ones(3),
        lambda x: np.array([1.0, 2.0, 3.0]) * x: np.array([1.0, 2.0, 3.0]),
        lambda x: 2.0 / x: -2.0 / x0**2,
        lambda x: x / 4.0: np.full(3, 0.25),
        lambda x: -x: -np.ones(3),
    }
    for f, expected in cases.items():
        np.testing.assert_allclose(ad.grad(lambda x, f=f: ad.sum(f(x)))(x0), expected, rtol=1e-15)


# --------------------------------------------------------------------------- unary ops

UNARY = {  # function, its derivative written by hand, the domain to sample
    "exp": (ad.exp, np.exp, (-2.0, 2.0)),
    "log": (ad.log, lambda x: 1.0 / x, (0.1, 3.0)),
    "tanh": (ad.tanh, lambda x: 1.0 - np.tanh(x) ** 2, (-3.0, 3.0)),
    "sin": (ad.sin, np.cos, (-3.0, 3.0)),
    "cos": (ad.cos, lambda x: -np.sin(x), (-3.0, 3.0)),
    "relu": (ad.relu, lambda x: (x > 0).astype(float), (-2.0, 2.0)),
    "square": (lambda x: x**2, lambda x: 2 * x, (-2.0, 2.0)),
    "cube root": (lambda x: x ** (1 / 3), lambda x: x ** (-2 / 3) / 3, (0.1, 3.0)),
    "reciprocal": (lambda x: 1.0 / x, lambda x: -1.0 / x**2, (0.2, 3.0)),
}


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(sorted(UNARY)),
    shape=st.lists(st.integers(1, 5), max_size=3).map(tuple),
    seed=st.integers(0, 2**16),
)
def test_elementwise_ops_match_their_analytic_derivative(name, shape, seed):
    fn, derivative, (low, high) = UNARY[name]
    x0 = np.random.default_rng(seed).uniform(low, high, size=shape)
    weights = np.random.default_rng(seed + 1).normal(size=shape)
    value, g = ad.value_and_grad(lambda x: ad.sum(fn(x) * weights))(x0)
    np.testing.assert_allclose(g, weights * derivative(x0), rtol=1e-12, atol=1e-14)
    assert value == pytest.approx(float(np.sum(fn(x0) * weights)), rel=1e-12, abs=1e-14)


def test_elementwise_functions_on_plain_arrays_are_numpy():
    x = np.linspace(0.1, 2.0, 7)
    for name, (fn, _, _) in UNARY.items():
        if name in ("exp", "log", "tanh", "sin", "cos"):
            np.testing.assert_array_equal(fn(x), getattr(np, name)(x))
    np.testing.assert_array_equal(ad.relu(x - 1.0), np.maximum(x - 1.0, 0.0))


def test_relu_gate_is_zero_at_the_kink_and_maximum_splits_a_tie():
    np.testing.assert_array_equal(ad.grad(lambda x: ad.sum(ad.relu(x)))(np.zeros(3)), 0.0)
    ga, gb = ad.grad(lambda a, b: ad.sum(ad.maximum(a, b)), argnums=(0, 1))(
        np.array([1.0, 2.0]), np.array([1.0, 0.0])
    )
    np.testing.assert_array_equal(ga, [0.5, 1.0])
    np.testing.assert_array_equal(gb, [0.5, 0.0])


# --------------------------------------------------------------------------- reductions, matmul


@settings(max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
    data=st.data(),
    keepdims=st.booleans(),
    average=st.booleans(),
)
def test_sum_and_mean_over_any_axes_match_finite_differences(shape, data, keepdims, average):
    axes = data.draw(st.sets(st.integers(-len(shape), len(shape) - 1), max_size=len(shape)))
    axes = tuple(sorted({a % len(shape) for a in axes})) or None
    rng = np.random.default_rng(len(shape))
    x0 = rng.normal(size=shape)
    reduce = ad.mean if average else ad.sum
    out_shape = np.sum(x0, axis=axes, keepdims=keepdims).shape
    weights = rng.normal(size=out_shape)

    def f(x):
        return ad.sum(reduce(x, axis=axes, keepdims=keepdims) ** 2 * weights)

    reduced = np.mean(x0, axis=axes, keepdims=True) if average else x0.sum(axis=axes, keepdims=True)
    count = x0.size // reduced.size
    w = weights.reshape(reduced.shape)
    expected = np.broadcast_to(2 * reduced * w / (count if average else 1), shape)
    np.testing.assert_allclose(ad.grad(f)(x0), expected, rtol=1e-12, atol=1e-14)
    assert_close_to_fd(ad.grad(f)(x0), fd_gradient(f, x0))


@pytest.mark.parametrize(
    ("shape_a", "shape_b"),
    [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)), ((1, 5), (5, 1))],
)
def test_matmul_vjps_are_g_Bt_and_At_g(shape_a, shape_b):
    rng = np.random.default_rng(7)
    A, B = rng.normal(size=shape_a), rng.normal(size=shape_b)
    W = rng.normal(size=np.shape(A @ B))

    def f(a, b):
        return ad.sum((a @ b) * W)

    gA, gB = ad.grad(f, argnums=(0, 1))(A, B)
    A2 = A[None, :] if A.ndim == 1 else A
    B2 = B[:, None] if B.ndim == 1 else B
    W2 = W.reshape(A2.shape[0], B2.shape[1])
    np.testing.assert_allclose(gA, (W2 @ B2.T).reshape(A.shape), rtol=1e-13)
    np.testing.assert_allclose(gB, (A2.T @ W2).reshape(B.shape), rtol=1e-13)
    assert_close_to_fd(gA, fd_gradient(lambda a: f(a, B), A))
    # a constant on the left goes through __rmatmul__
    np.testing.assert_allclose(ad.grad(lambda b: ad.sum((A @ b) * W))(B), gB, rtol=1e-15)


def test_indexing_adds_the_adjoint_of_repeated_entries_and_reshape_reshapes_it_back():
    x0 = np.arange(6.0)
    g = ad.grad(lambda x: ad.sum(x[np.array([0, 0, 3])] * np.array([1.0, 2.0, 5.0])))(x0)
    np.testing.assert_array_equal(g, [3.0, 0.0, 0.0, 5.0, 0.0, 0.0])
    g = ad.grad(lambda x: ad.sum(x.reshape(2, 3)[1:, ::2] ** 2))(x0)
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.0, 6.0, 0.0, 10.0])


# --------------------------------------------------------------------------- composites


def tangled(x):
    """A function with shared subexpressions, broadcasting, matmul and every op, on R^d."""
    M = np.linspace(-1.0, 1.0, x.shape[-1] * 3).reshape(x.shape[-1], 3)
    h = ad.tanh(x @ M) * ad.exp(-0.1 * x[..., :3] ** 2)
    s = ad.sum(h * ad.sin(x[..., :3]) - ad.cos(h) / 2.0, axis=-1)
    return ad.log(1.0 + ad.exp(s)) + ad.mean(ad.relu(x) * x, axis=-1) + ad.maximum(s, 0.1)


@settings(max_examples=30, deadline=None)
@given(d=st.integers(3, 12), seed=st.integers(0, 2**16))
def test_a_composite_function_matches_finite_differences_and_forward_mode(d, seed):
    x0 = np.random.default_rng(seed).uniform(-1.5, 1.5, size=d)
    assume(np.min(np.abs(x0)) > 1e-3)  # relu's kink at 0 is outside the FD stencil
    value, g = ad.value_and_grad(tangled)(x0)
    assert value == pytest.approx(float(tangled(x0)), rel=1e-14)  # plain NumPy gives f too
    numerical = derivatives.gradient(tangled, x0)  # tangled is vectorised: one batched call
    assert_close_to_fd(g, numerical)
    np.testing.assert_allclose(ad.forward_gradient(tangled, x0), g, rtol=1e-12, atol=1e-14)


def test_a_node_used_twice_collects_both_adjoints():
    # f = x·x + x: x is used three times, ∂f/∂x = 2x + 1
    np.testing.assert_allclose(ad.grad(lambda x: ad.sum(x * x + x))(np.array([3.0])), [7.0])


def test_the_baydin_example_matches_its_analytic_gradient():
    """f(x₁, x₂) = ln x₁ + x₁x₂ − sin x₂ at (2, 5), the example of Baydin et al. (2018)."""
    value, (g1, g2) = ad.value_and_grad(
        lambda x1, x2: ad.log(x1) + x1 * x2 - ad.sin(x2), argnums=(0, 1)
    )(2.0, 5.0)
    assert value == pytest.approx(np.log(2) + 10 - np.sin(5), rel=1e-15)
    assert g1 == pytest.approx(1 / 2 + 5, rel=1e-15)
    assert g2 == pytest.approx(2 - np.cos(5), rel=1e-15)
    assert value == pytest.approx(11.652, abs=1e-3)  # the survey's table


def test_a_long_chain_does_not_hit_the_recursion_limit():
    def f(x):
        for _ in range(5000):
            x = x * 1.0001
        return ad.sum(x)

    np.testing.assert_allclose(ad.grad(f)(np.ones(2)), 1.0001**5000, rtol=1e-10)


def test_topological_order_puts_every_node_after_its_parents_once():
    x = ad.Tensor(np.ones(3), name="x")
    y = ad.exp(x) * x + ad.sum(x)
    order = ad.topological_order(y)
    position = {id(n): i for i, n in enumerate(order)}
    assert len(position) == len(order) == 5  # x (once), exp, ×, Σ, +
    for node in order:
        assert all(position[id(p)] < position[id(node)] for p in node.parents)
    assert order[-1] is y and order[0] is x


def test_backward_with_a_seed_gives_a_vector_jacobian_product():
    A = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    x = ad.Tensor([0.5, -1.0])
    y = ad.tanh(A @ x)  # R² → R³, Jacobian diag(1 − tanh²) A
    u = np.array([1.0, -2.0, 0.5])
    ad.backward(y, seed=u)
    J = (1 - np.tanh(A @ x.value) ** 2)[:, None] * A
    np.testing.assert_allclose(x.grad, u @ J, rtol=1e-13)


# --------------------------------------------------------------------------- forward mode


@settings(max_examples=30, deadline=None)
@given(d=st.integers(3, 10), k=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_jvp_is_the_gradient_dotted_with_each_direction(d, k, seed):
    rng = np.random.default_rng(seed)
    x0, V = rng.uniform(-1.5, 1.5, size=d), rng.normal(size=(k, d))
    g = ad.grad(tangled)(x0)
    value, slopes = ad.jvp(tangled, x0, V)  # k directions in one pass
    np.testing.assert_allclose(slopes, V @ g, rtol=1e-11, atol=1e-13)
    value1, slope1 = ad.jvp(tangled, x0, V[0])  # one direction
    assert slope1 == pytest.approx(float(V[0] @ g), rel=1e-11, abs=1e-13)
    assert value == value1 == pytest.approx(float(tangled(x0)), rel=1e-14)


@settings(max_examples=40, deadline=None)
@given(shapes=broadcast_pair(), op=st.sampled_from(sorted(BINARY)), seed=st.integers(0, 2**16))
def test_forward_mode_broadcasts_like_reverse_mode(shapes, op, seed):
    rng = np.random.default_rng(seed)
    a0, b0 = arrays(rng, shapes[0]), arrays(rng, shapes[1])
    if op == "div":
        b0 = np.sign(b0) * (0.5 + np.abs(b0))
    weights = arrays(rng, np.broadcast_shapes(a0.shape, b0.shape))

    def f(a):
        return ad.sum(BINARY[op](a, b0) * weights) + ad.sum(BINARY[op](b0, a) ** 2)

    np.testing.assert_allclose(ad.forward_gradient(f, a0), ad.grad(f)(a0), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize(
    ("shape_a", "shape_b"), [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,))]
)
def test_forward_mode_matmul_matches_reverse_mode(shape_a, shape_b):
    rng = np.random.default_rng(8)
    A, B = rng.normal(size=shape_a), rng.normal(size=shape_b)
    W = rng.normal(size=np.shape(A @ B))
    for f, x0 in (
        (lambda a: ad.sum(ad.tanh(a @ B) * W), A),
        (lambda b: ad.sum(ad.tanh(A @ b) * W), B),
    ):
        np.testing.assert_allclose(ad.forward_gradient(f, x0), ad.grad(f)(x0), rtol=1e-12)


def test_dual_numbers_give_the_derivative_of_a_polynomial():
    y = ad.Dual(3.0, 1.0) ** 3 - 2.0 * ad.Dual(3.0, 1.0)
    assert (float(y.value), float(y.tangent)) == (21.0, 25.0)  # 3x² − 2 at 3


# --------------------------------------------------------------------------- torch


def test_gradients_match_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    for d in (3, 8, 40):
        x0 = rng.uniform(-1.5, 1.5, size=d)
        M = np.linspace(-1.0, 1.0, d * 3).reshape(d, 3)
        xt = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
        Mt = torch.tensor(M)
        h = torch.tanh(xt @ Mt) * torch.exp(-0.1 * xt[:3] ** 2)
        s = torch.sum(h * torch.sin(xt[:3]) - torch.cos(h) / 2.0)
        out = (
            torch.log(1.0 + torch.exp(s))
            + torch.mean(torch.relu(xt) * xt)
            + torch.maximum(s, torch.tensor(0.1, dtype=torch.float64))
        )
        out.backward()
        value, g = ad.value_and_grad(tangled)(x0)
        assert value == pytest.approx(out.item(), rel=1e-13)
        np.testing.assert_allclose(g, xt.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_network_gradient_matches_torch_on_a_batch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(10)
    X, y = rng.normal(size=(30, 4)), rng.normal(size=30)
    W1, b1, w2 = rng.normal(size=(4, 8)), rng.normal(size=8), rng.normal(size=8)

    def loss(W1, b1, w2):
        return ad.mean((ad.relu(X @ W1 + b1) @ w2 - y) ** 2)

    ours = ad.grad(loss, argnums=(0, 1, 2))(W1, b1, w2)
    params = [torch.tensor(p, requires_grad=True) for p in (W1, b1, w2)]
    Xt, yt = torch.tensor(X), torch.tensor(y)
    torch.mean((torch.relu(Xt @ params[0] + params[1]) @ params[2] - yt) ** 2).backward()
    for g, p in zip(ours, params, strict=True):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------- errors


def test_bad_input_gets_a_clear_error_naming_the_argument():
    with pytest.raises(TypeError, match="f must be callable"):
        ad.grad(3.0)
    with pytest.raises(ValueError, match="f must return a scalar"):
        ad.grad(lambda x: x * 2.0)(np.ones(3))
    with pytest.raises(ValueError, match="argument 0 of f must contain only finite"):
        ad.grad(lambda x: ad.sum(x))(np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match="argument 0 of f must be an array of numbers"):
        ad.grad(lambda x: ad.sum(x))("1.0")
    with pytest.raises(TypeError, match="argnums must be"):
        ad.grad(lambda x: x, argnums=1.5)
    with pytest.raises(ValueError, match="argnums"):
        ad.grad(lambda x: x, argnums=2)(1.0)
    with pytest.raises(TypeError, match="exponent"):
        ad.grad(lambda x: ad.sum(x**x))(np.ones(2))
    with pytest.raises(ValueError, match="matmul takes vectors and matrices"):
        ad.grad(lambda x: ad.sum(x @ np.ones((2, 2))))(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="backward needs a scalar output"):
        ad.backward(ad.Tensor([1.0, 2.0]) * 2.0)
    with pytest.raises(ValueError, match="seed must have the output's shape"):
        ad.backward(ad.Tensor([1.0, 2.0]) * 2.0, seed=[1.0])
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        ad.sum(ad.Tensor(np.ones((2, 2))), axis=2)
    with pytest.raises(TypeError, match="axis must be an integer"):
        ad.sum(ad.Tensor(np.ones(2)), axis=0.5)
    with pytest.raises(ValueError, match="tangent must have shape"):
        ad.Dual(np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="v must have shape"):
        ad.jvp(lambda x: ad.sum(x), np.ones(3), np.ones(4))
    with pytest.raises(TypeError, match="cannot mix"):
        ad.Tensor(1.0) + ad.Dual(1.0, 1.0)
    with pytest.raises(TypeError, match="output must be a Tensor"):
        ad.topological_order(np.ones(2))
    with pytest.raises(TypeError, match="does not support ufuncs|not supported"):
        np.exp(ad.Tensor(1.0))
    with pytest.raises(ValueError, match="cannot come from broadcasting"):
        ad.unbroadcast(np.ones((2, 3)), (4,))


def test_a_function_that_ignores_its_input_has_zero_gradient():
    g1, g2 = ad.grad(lambda a, b: ad.sum(a * 2.0), argnums=(0, 1))(np.ones(2), np.ones(3))
    np.testing.assert_array_equal(g1, 2.0)
    np.testing.assert_array_equal(g2, np.zeros(3))
    value, g = ad.value_and_grad(lambda x: 4.0)(np.ones(3))
    assert value == 4.0 and np.all(g == 0.0) and g.shape == (3,)
    value, slope = ad.jvp(lambda x: 4.0, np.ones(3), np.ones(3))
    assert value == 4.0 and slope == 0.0


def test_propagate_refuses_a_node_whose_adjoint_is_not_known_yet():
    x = ad.Tensor([1.0, 2.0])
    y = ad.exp(x)
    with pytest.raises(ValueError, match=r"node\.grad is None"):
        ad.propagate(y)  # before the fix: TypeError from inside the VJP (None * array)
    with pytest.raises(TypeError, match="node must be a Tensor"):
        ad.propagate("y")
    y.grad = np.ones(2)
    ad.propagate(y)
    np.testing.assert_allclose(x.grad, np.exp([1.0, 2.0]))


def test_matmul_names_the_operand_whose_shape_is_wrong():
    for a, b in ((np.ones((2, 3)), np.ones(2)), (ad.Tensor(np.ones((2, 3))), np.ones(2)),
                 (ad.Dual(np.ones((2, 3)), np.ones((2, 3))), np.ones(2))):  # fmt: skip
        with pytest.raises(ValueError, match=r"last axis of a must match the first axis of b"):
            ad.matmul(a, b)
    with pytest.raises(ValueError, match=r"b must be 1-D or 2-D"):
        ad.matmul(np.ones(2), np.ones((2, 2, 2)))
    with pytest.raises(TypeError, match=r"a and b cannot mix"):
        ad.maximum(ad.Dual(1.0, 1.0), ad.Tensor(1.0))


def test_unbroadcast_and_the_reductions_check_their_arguments():
    with pytest.raises(TypeError, match="shape must be a tuple of non-negative integers"):
        ad.unbroadcast(np.ones(3), 3.0)
    with pytest.raises(TypeError, match="g must be an array of numbers"):
        ad.unbroadcast("abc", (3,))
    assert ad.unbroadcast(np.ones((2, 3)), 3).tolist() == [2.0, 2.0, 2.0]  # an int is (n,)
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        ad.mean("abc")
    for x in (np.ones(2), ad.Tensor(np.ones(2)), ad.Dual(np.ones(2), np.ones(2))):
        with pytest.raises(TypeError, match="keepdims must be True or False"):
            ad.sum(x, keepdims="no")
