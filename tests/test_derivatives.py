"""Finite differences against analytic derivatives, scipy and numdifftools (lecture 02)."""

from __future__ import annotations

import numdifftools as nd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import rosen_der, rosen_hess

from course_lib import derivatives as D
from course_lib.objectives import quadratic, rosenbrock

EPS = np.finfo(float).eps


def counted(f):
    """Wrap f so that its calls and the shapes it was called with are recorded."""

    def wrapper(x):
        wrapper.shapes.append(np.shape(x))
        return f(x)

    wrapper.shapes = []
    wrapper.rowwise = getattr(f, "rowwise", False)  # a known-vectorised f stays known
    return wrapper


def tangled(x):
    """A function without a simple closed-form derivative, vectorised over (..., d)."""
    s = np.sin(x[..., 0] * x[..., 1]) + np.log1p(np.sum(x**2, axis=-1))
    return np.exp(-0.3 * s) * np.cos(x[..., -1] - x[..., 0])


def tangled_map(x):
    """A map R^3 -> R^2 without a simple closed-form Jacobian, vectorised over (..., 3)."""
    return np.stack([tangled(x), np.tanh(x[..., 0] + x[..., 1] * x[..., 2])], axis=-1)


# ---------------------------------------------------------------------------------------
# default step and the scalar schemes
# ---------------------------------------------------------------------------------------


def test_default_step_is_eps_power_times_the_scale_of_x():
    x = np.array([-1000.0, -0.5, 0.0, 0.3, 7.0])
    scale = np.maximum(1.0, np.abs(x))
    np.testing.assert_allclose(D.default_step(x, "forward"), EPS**0.5 * scale, rtol=1e-15)
    np.testing.assert_allclose(D.default_step(x, "backward"), EPS**0.5 * scale, rtol=1e-15)
    np.testing.assert_allclose(D.default_step(x, "centered"), EPS ** (1 / 3) * scale, rtol=1e-15)


@pytest.mark.parametrize(
    ("f", "df", "x"),
    [
        (np.sin, np.cos, np.linspace(-3, 3, 13)),
        (np.exp, np.exp, np.linspace(-2, 2, 9)),
        (lambda t: t**3 - 2 * t, lambda t: 3 * t**2 - 2, np.linspace(-2, 2, 9)),
    ],
)
def test_scalar_schemes_match_the_analytic_derivative(f, df, x):
    # default steps: error ≈ √ε for one-sided, ≈ ε^(2/3) for centered (times the scale)
    scale = np.maximum(1.0, np.abs(df(x)))
    assert np.all(np.abs(D.forward_difference(f, x) - df(x)) <= 5e-7 * scale)
    assert np.all(np.abs(D.backward_difference(f, x) - df(x)) <= 5e-7 * scale)
    assert np.all(np.abs(D.centered_difference(f, x) - df(x)) <= 1e-9 * scale)


def test_one_sided_schemes_err_by_h_over_2_times_f_second_derivative():
    # Taylor: D₊f − f' = (h/2) f'' + O(h²), D₋f − f' = −(h/2) f'' + O(h²); for exp, f'' = e^x
    x, h = 0.7, 1e-4
    assert D.forward_difference(np.exp, x, h) - np.exp(x) == pytest.approx(
        h / 2 * np.exp(x), rel=1e-3
    )
    assert D.backward_difference(np.exp, x, h) - np.exp(x) == pytest.approx(
        -h / 2 * np.exp(x), rel=1e-3
    )
    # centered: (h²/6) f''' for sin, f''' = −cos
    h = 1e-3
    assert D.centered_difference(np.sin, x, h) - np.cos(x) == pytest.approx(
        -(h**2) / 6 * np.cos(x), rel=1e-3
    )


def test_steps_broadcast_against_points_in_one_call():
    x = np.array([0.1, 0.5, 2.0])
    h = np.array([1e-1, 1e-2, 1e-3])[:, None]
    f = counted(np.sin)
    out = D.centered_difference(f, x, h)
    assert out.shape == (3, 3)
    assert len(f.shapes) == 2  # f(x + h) and f(x − h), each once for the whole grid
    for i in range(3):
        for j in range(3):
            hij = h[i, 0]
            assert out[i, j] == pytest.approx(
                (np.sin(x[j] + hij) - np.sin(x[j] - hij)) / (2 * hij), rel=1e-13
            )


def test_scalar_input_gives_a_scalar():
    assert np.ndim(D.centered_difference(np.sin, 0.3)) == 0
    assert np.ndim(D.default_step(0.3)) == 0


# ---------------------------------------------------------------------------------------
# error versus step
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "order", "low", "high"),
    [("forward", 1, 1e-6, 1e-3), ("backward", 1, 1e-6, 1e-3), ("centered", 2, 1e-4, 1e-2)],
)
@pytest.mark.parametrize(
    ("f", "df", "x"), [(np.sin, np.cos, 1.0), (np.exp, np.exp, 0.5), (np.log, np.reciprocal, 2.0)]
)
def test_truncation_error_falls_as_h_to_the_order_of_the_scheme(f, df, x, scheme, order, low, high):
    steps = np.logspace(np.log10(low), np.log10(high), 25)  # more than a decade
    curve = D.error_versus_step(f, df, x, steps, scheme=scheme)
    assert curve.truncation_order == order
    assert D.fitted_order(curve.steps, curve.errors) == pytest.approx(order, abs=0.1)


@pytest.mark.parametrize("scheme", ["forward", "centered"])
@pytest.mark.parametrize(
    ("f", "df", "x"), [(np.sin, np.cos, 1.0), (np.exp, np.exp, 0.5), (np.exp, np.exp, 3.0)]
)
def test_best_step_is_near_the_predicted_eps_power(f, df, x, scheme):
    curve = D.error_versus_step(f, df, x, scheme=scheme)
    power = 1 / 2 if scheme == "forward" else 1 / 3
    assert curve.predicted_best_step == pytest.approx(EPS**power * max(1.0, abs(x)))
    assert curve.predicted_best_step / 30 <= curve.best_step <= 30 * curve.predicted_best_step


def test_round_off_regime_has_error_growing_like_one_over_h():
    curve = D.error_versus_step(np.exp, np.exp, 0.5, np.logspace(-13, -10, 31), scheme="centered")
    assert D.fitted_order(curve.steps, curve.errors) == pytest.approx(-1.0, abs=0.35)


def test_error_curve_is_the_scheme_error_at_each_step():
    steps = np.logspace(-8, -1, 15)
    curve = D.error_versus_step(np.sin, np.cos, 0.4, steps, scheme="centered")
    direct = np.abs((np.sin(0.4 + steps) - np.sin(0.4 - steps)) / (2 * steps) - np.cos(0.4))
    np.testing.assert_allclose(curve.errors, direct, rtol=1e-12, atol=1e-300)
    assert curve.best_step == steps[np.argmin(direct)]
    # df may also be the value of the derivative
    same = D.error_versus_step(np.sin, np.cos(0.4), 0.4, steps)
    np.testing.assert_array_equal(same.errors, curve.errors)


def test_fitted_order_recovers_the_exponent_of_a_power_law_in_the_chosen_range():
    h = np.logspace(-8, 0, 33)
    errors = np.where(h > 1e-4, 5.0 * h**2, 1e-12 / h)  # a V: slope 2 above, −1 below
    assert D.fitted_order(h, errors, low=1e-3, high=1.0) == pytest.approx(2.0, abs=1e-12)
    assert D.fitted_order(h, errors, low=1e-8, high=1e-5) == pytest.approx(-1.0, abs=1e-12)


# ---------------------------------------------------------------------------------------
# gradient, Jacobian, Hessian against independent references
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("d", [2, 7, 50])
def test_gradient_matches_scipy_rosen_der(d):
    x = np.random.default_rng(d).uniform(-1.5, 1.5, d)
    f = rosenbrock(dim=d)
    exact = rosen_der(x)
    scale = np.max(np.abs(exact))
    np.testing.assert_allclose(D.gradient(f, x), exact, atol=1e-8 * scale)
    for scheme in ("forward", "backward"):
        np.testing.assert_allclose(D.gradient(f, x, scheme=scheme), exact, atol=1e-5 * scale)


def test_gradient_matches_numdifftools_on_a_function_without_closed_form():
    x = np.array([0.3, -1.2, 0.8, 2.0])
    reference = nd.Gradient(tangled)(x)
    np.testing.assert_allclose(D.gradient(tangled, x), reference, rtol=1e-8, atol=1e-10)


def test_jacobian_matches_the_analytic_jacobian_and_numdifftools():
    def F(p):
        x, y = p[..., 0], p[..., 1]
        return np.stack([x**2 * y, 5 * x + np.sin(y), np.exp(x - y)], axis=-1)

    x, y = 0.7, -0.4
    exact = np.array([[2 * x * y, x**2], [5.0, np.cos(y)], [np.exp(x - y), -np.exp(x - y)]])
    p = np.array([x, y])
    np.testing.assert_allclose(D.jacobian(F, p), exact, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(D.jacobian(F, p, scheme="forward"), exact, rtol=1e-6, atol=1e-7)
    q = np.array([0.2, -0.5, 1.1])
    np.testing.assert_allclose(
        D.jacobian(tangled_map, q), nd.Jacobian(tangled_map)(q), rtol=1e-8, atol=1e-10
    )


@pytest.mark.parametrize("d", [2, 6])
def test_hessian_from_values_matches_scipy_rosen_hess(d):
    x = np.random.default_rng(10 + d).uniform(-1.5, 1.5, d)
    H = D.hessian(rosenbrock(dim=d), x)
    exact = rosen_hess(x)
    np.testing.assert_array_equal(H, H.T)
    assert np.max(np.abs(H - exact)) <= 1e-6 * np.max(np.abs(exact))


def test_hessian_from_values_matches_numdifftools_on_a_function_without_closed_form():
    x = np.array([0.3, -1.2, 0.8])
    np.testing.assert_allclose(D.hessian(tangled, x), nd.Hessian(tangled)(x), atol=1e-6)


@pytest.mark.parametrize("d", [10, 100])
def test_hessian_from_gradient_is_within_1e_6_of_rosen_hess(d):
    x = np.random.default_rng(d).uniform(-1.5, 1.5, d)
    exact = rosen_hess(x)
    grad = counted(rosenbrock(dim=d).gradient)
    H = D.hessian_from_gradient(grad, x)
    np.testing.assert_array_equal(H, H.T)
    assert np.max(np.abs(H - exact)) <= 1e-6 * np.max(np.abs(exact))
    assert sum(shape[0] for shape in grad.shapes) == 2 * d  # the stacked (2d, d) batch


def test_hessian_vector_product_matches_the_exact_hessian_times_v():
    d = 30
    rng = np.random.default_rng(5)
    x, V = rng.uniform(-1.5, 1.5, d), rng.normal(size=(4, d))
    exact = rosen_hess(x)
    grad = counted(rosenbrock(dim=d).gradient)
    HV = D.hessian_vector_product(grad, x, V)
    assert grad.shapes == [(8, d)]  # 2k gradients in one call
    np.testing.assert_allclose(HV, V @ exact, atol=1e-6 * np.max(np.abs(exact)))
    one = D.hessian_vector_product(rosenbrock(dim=d).gradient, x, V[2])
    np.testing.assert_allclose(one, HV[2], rtol=1e-12, atol=1e-9)
    # scaling v does not change the accuracy: h follows ‖v‖
    np.testing.assert_allclose(
        D.hessian_vector_product(rosenbrock(dim=d).gradient, x, 1e-6 * V[0]),
        1e-6 * (exact @ V[0]),
        atol=1e-12 * np.max(np.abs(exact)),
    )


def test_hessian_vector_product_of_a_zero_direction_is_zero():
    f = quadratic([1.0, 3.0])
    np.testing.assert_array_equal(D.hessian_vector_product(f.gradient, [1.0, 2.0], [0, 0]), 0)


@pytest.mark.parametrize("scheme", ["centered", "forward", "backward"])
def test_directional_derivative_is_gradient_dot_v_for_many_directions(scheme):
    f = rosenbrock(dim=3)
    x = np.array([0.5, -0.3, 1.2])
    V = np.random.default_rng(2).normal(size=(6, 3))
    exact = V @ f.gradient(x)
    tol = 1e-8 if scheme == "centered" else 1e-5
    out = D.directional_derivative(f, x, V, scheme=scheme)
    np.testing.assert_allclose(out, exact, atol=tol * np.max(np.abs(exact)))
    single = D.directional_derivative(f, x, V[0], scheme=scheme)
    assert np.ndim(single) == 0 and single == pytest.approx(out[0], rel=1e-12)


# ---------------------------------------------------------------------------------------
# the stacked batch: one call, chunks, fallback for scalar-only functions
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("scheme", "rows"), [("centered", 16), ("forward", 9), ("backward", 9)])
def test_vectorised_gradient_calls_f_once_on_the_stacked_batch(scheme, rows):
    f = counted(rosenbrock(dim=8))
    x = np.linspace(-1, 1, 8)
    g = D.gradient(f, x, scheme=scheme)
    assert f.shapes == [(rows, 8)]
    loop = counted(rosenbrock(dim=8))
    g_loop = D.gradient(loop, x, scheme=scheme, vectorized=False)
    assert loop.shapes == [(8,)] * rows
    np.testing.assert_allclose(g, g_loop, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("chunk_size", [1, 3, 7, 16])
def test_chunked_gradient_equals_unchunked(chunk_size):
    f = counted(rosenbrock(dim=8))
    x = np.linspace(-1, 1, 8)
    full = D.gradient(rosenbrock(dim=8), x)
    chunked = D.gradient(f, x, chunk_size=chunk_size)
    np.testing.assert_allclose(chunked, full, rtol=1e-13, atol=1e-13)
    assert max(s[0] for s in f.shapes) <= chunk_size
    assert sum(s[0] for s in f.shapes) == 16
    H = D.hessian_from_gradient(rosenbrock(dim=8).gradient, x, chunk_size=chunk_size)
    np.testing.assert_allclose(H, D.hessian_from_gradient(rosenbrock(dim=8).gradient, x))


def test_default_chunks_bound_memory_at_large_dimension():
    d = 10_000
    a = np.linspace(-1, 1, d)

    def f(x):
        f.rows = max(f.rows, x.shape[0] if x.ndim == 2 else 1)
        return x @ a + 0.5 * np.sum(x * x, axis=-1)

    f.rows = 0
    x = np.random.default_rng(0).normal(size=d)
    # round-off ≈ ε |f| / h with |f| ≈ 5e3 here: about 2e-7
    np.testing.assert_allclose(D.gradient(f, x), a + x, rtol=1e-6, atol=1e-6)
    chunk_bytes = 8 * d * f.rows
    assert chunk_bytes <= max(D.CHUNK_BYTES, 8 * d * D.MIN_CHUNK_ROWS)
    assert chunk_bytes < 0.01 * 8 * 2 * d * d  # far below the 1.6 GB of the full batch


def scalar_only_indexing(x):
    """Works on one point only; on a (m, d) batch x[0] is a row, so the shape is wrong."""
    return x[0] ** 2 * x[1] + np.sin(x[2]) + x[3] * x[0]


def scalar_only_math(x):
    """Uses math functions, which raise on arrays of more than one element."""
    import math

    return math.exp(0.1 * float(x[0])) + float(x[1]) ** 2 + float(x[2] * x[3])


@pytest.mark.parametrize("f", [scalar_only_indexing, scalar_only_math])
@pytest.mark.parametrize("chunk_size", [None, 2, 4])
def test_scalar_only_functions_fall_back_to_a_loop_automatically(f, chunk_size):
    # chunk_size = 4 = d: a (4, 4) chunk would give x[0] the plausible shape (4,)
    x = np.array([0.5, -1.0, 0.3, 2.0])
    expected = D.gradient(f, x, vectorized=False)
    np.testing.assert_allclose(D.gradient(f, x, chunk_size=chunk_size), expected, rtol=1e-13)
    a, b, c, e = x
    if f is scalar_only_indexing:
        exact = [2 * a * b + e, a**2, np.cos(c), a]
    else:
        exact = [0.1 * np.exp(0.1 * a), 2 * b, e, c]
    np.testing.assert_allclose(expected, exact, rtol=1e-8, atol=1e-9)


def test_scalar_only_functions_work_for_every_batched_routine():
    x = np.array([0.5, -1.0, 0.3, 2.0])

    def grad_only(p):
        return np.array([2 * p[0] * p[1], p[0] ** 2, 0.0, 0.0])

    H = D.hessian_from_gradient(grad_only, x)
    np.testing.assert_allclose(H[:2, :2], [[2 * x[1], 2 * x[0]], [2 * x[0], 0.0]], atol=1e-8)
    v = np.array([1.0, 2.0, 0.0, 0.0])
    np.testing.assert_allclose(D.hessian_vector_product(grad_only, x, v), H @ v, atol=1e-8)
    g = D.gradient(scalar_only_indexing, x)
    assert D.directional_derivative(scalar_only_indexing, x, v) == pytest.approx(g @ v)
    np.testing.assert_allclose(
        D.hessian(scalar_only_indexing, x), nd.Hessian(scalar_only_indexing)(x), atol=1e-6
    )


# Issue 19/21: a one-point function that returns the right shape on a batch but mixes its
# rows (scipy's rosen_der differentiates along the first axis). Shape cannot tell; the
# batched rows are compared with single calls. References: scipy's rosen_hess, rosen_der.


def test_hessian_from_gradient_of_scipy_rosen_der_is_rosen_hess():
    np.testing.assert_allclose(
        D.hessian_from_gradient(rosen_der, [-1.2, 1.0]), [[1330.0, 480.0], [480.0, 200.0]],
        rtol=1e-8,
    )  # fmt: skip


@pytest.mark.parametrize("d", [2, 3, 5, 12])
def test_one_point_gradients_that_mix_batch_rows_are_evaluated_point_by_point(d):
    x = np.random.default_rng(d).uniform(-1.5, 1.5, d)
    exact = rosen_hess(x)
    tol = 1e-6 * np.max(np.abs(exact))
    np.testing.assert_allclose(D.hessian_from_gradient(rosen_der, x), exact, atol=tol)
    np.testing.assert_allclose(D.jacobian(rosen_der, x), exact, atol=tol)
    V = np.random.default_rng(0).normal(size=(3, d))
    np.testing.assert_allclose(D.hessian_vector_product(rosen_der, x, V), V @ exact, atol=tol)
    np.testing.assert_allclose(D.hessian_vector_product(rosen_der, x, V[0]), exact @ V[0], atol=tol)
    # a value that mixes rows only in its first / last coordinate is caught too
    for special in (0, -1):

        def grad(p, special=special):
            g = rosen_der(p).copy() if p.ndim == 1 else rosen_der(p)
            g[special] += 1.0  # on a batch this shifts one whole row
            return g

        J = D.jacobian(grad, x)
        np.testing.assert_allclose(J, exact, atol=tol)


def test_top_eigenvalue_through_hvp_of_a_one_point_gradient_matches_eigvalsh():
    from course_lib.curvature import top_eigenvalue

    for d in (3, 10):
        x = np.full(d, 2.0)
        ref = np.linalg.eigvalsh(rosen_hess(x))[-1]
        top = top_eigenvalue(lambda v, x=x: D.hessian_vector_product(rosen_der, x, v), d)
        assert top.value == pytest.approx(ref, rel=1e-8)


def test_a_verified_vectorised_function_is_still_called_on_the_batch():
    f = counted(lambda p: np.sum(p**2, axis=-1))  # not marked: checked by two single calls
    x = np.linspace(-1, 1, 8)
    np.testing.assert_allclose(D.gradient(f, x), 2 * x, atol=1e-9)
    assert f.shapes == [(16, 8), (8,), (8,)]
    # the verdict is remembered: a second gradient makes no check calls
    f.shapes.clear()
    np.testing.assert_allclose(D.gradient(f, x + 1.0), 2 * x + 2.0, atol=1e-9)
    assert f.shapes == [(16, 8)]


def test_a_refused_one_point_function_is_not_offered_the_batch_again():
    grad = counted(rosen_der)
    x = np.array([0.3, -0.2, 0.9])
    first = D.hessian_from_gradient(grad, x)
    assert grad.shapes[0] == (6, 3)  # tried once, refused
    grad.shapes.clear()
    np.testing.assert_array_equal(D.hessian_from_gradient(grad, x), first)
    assert grad.shapes == [(3,)] * 6  # straight to one point at a time


@settings(max_examples=40, deadline=None)
@given(
    d=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
    scale=st.floats(1e-2, 1e2),
)
def test_gradient_of_a_random_quadratic_is_A_x(d, seed, scale):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(d, d))
    A = scale * (B + B.T)
    x = rng.uniform(-10, 10, d)

    def f(p):
        return 0.5 * np.einsum("...i,ij,...j->...", p, A, p)

    # centered differences are exact on a quadratic up to round-off ≈ ε |f| / h
    tol = 1e-6 * (1 + np.max(np.abs(A)) * np.max(np.abs(x)) ** 2)
    np.testing.assert_allclose(D.gradient(f, x), A @ x, atol=tol)
    np.testing.assert_allclose(D.hessian_from_gradient(lambda p: p @ A, x), A, atol=tol)


# ---------------------------------------------------------------------------------------
# gradient check
# ---------------------------------------------------------------------------------------


def test_gradient_check_passes_a_correct_gradient_and_fails_a_wrong_one():
    f = rosenbrock(dim=5)
    x = np.array([0.3, -0.7, 1.1, 0.2, -1.4])
    good = D.gradient_check(f, f.gradient, x)
    assert good.passed and good.max_relative_error < 1e-8
    assert good.relative_error.shape == (5,)
    np.testing.assert_allclose(good.analytic, rosen_der(x))

    def wrong(p):
        g = f.gradient(p).copy()
        g[3] *= 1.01  # a 1% mistake in one coordinate
        return g

    bad = D.gradient_check(f, wrong, x)
    assert not bad.passed
    assert int(np.argmax(bad.relative_error)) == 3
    assert bad.max_relative_error == pytest.approx(0.01 / 2.01, rel=1e-4)
    assert "FAILED" in repr(bad) and "coordinate 3" in repr(bad)
    assert "passed" in repr(good)


def test_gradient_check_does_not_flag_round_off_where_the_gradient_is_zero():
    f = rosenbrock()
    check = D.gradient_check(f, f.gradient, np.array([1.0, 1.0]))  # the minimum: ∇f = 0
    assert check.passed


def test_gradient_check_result_is_frozen():
    check = D.gradient_check(rosenbrock(), rosenbrock().gradient, [0.0, 0.0])
    with pytest.raises(AttributeError):
        check.passed = False


# ---------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------


def test_unknown_scheme_is_rejected_with_the_list_of_schemes():
    for call in (
        lambda: D.default_step(1.0, "central"),
        lambda: D.gradient(np.sum, [1.0], scheme="central"),
        lambda: D.error_versus_step(np.sin, np.cos, 1.0, scheme="central"),
        lambda: D.directional_derivative(np.sum, [1.0], [1.0], scheme="central"),
    ):
        with pytest.raises(ValueError, match="scheme must be one of 'forward', 'backward'"):
            call()


@pytest.mark.parametrize("h", [0.0, -1e-3, [1e-3, -1e-3]])
def test_non_positive_step_is_rejected_naming_h(h):
    with pytest.raises(ValueError, match="h must be positive"):
        D.centered_difference(np.sin, [1.0, 2.0], h)
    with pytest.raises(ValueError, match="h must be positive"):
        D.gradient(rosenbrock(), [1.0, 2.0], h)


def test_step_of_the_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match=r"h must be a scalar or have shape \(2,\)"):
        D.gradient(rosenbrock(), [1.0, 2.0], [1e-3, 1e-3, 1e-3])


@pytest.mark.parametrize("x", [[1.0, np.nan], [np.inf, 0.0]])
def test_non_finite_points_are_rejected(x):
    with pytest.raises(ValueError, match="x must contain only finite values"):
        D.gradient(rosenbrock(), x)
    with pytest.raises(ValueError, match="x must contain only finite values"):
        D.forward_difference(np.sin, x)


def test_point_must_be_one_dimensional():
    with pytest.raises(ValueError, match=r"x must be a point of shape \(d,\)"):
        D.gradient(rosenbrock(), np.zeros((2, 2)))


def test_non_callable_function_is_a_type_error():
    with pytest.raises(TypeError, match="f must be callable"):
        D.gradient([1, 2], [1.0, 2.0])
    with pytest.raises(TypeError, match="f must be callable"):
        D.centered_difference(3.0, 1.0)
    with pytest.raises(TypeError, match="grad must be callable"):
        D.hessian_from_gradient(None, [1.0])
    with pytest.raises(TypeError, match="F must be callable"):
        D.jacobian("F", [1.0])


@pytest.mark.parametrize("v", [[1.0, 2.0, 3.0], np.ones((2, 3)), np.ones((1, 2, 2))])
def test_direction_of_the_wrong_shape_is_rejected(v):
    with pytest.raises(ValueError, match=r"v must have shape \(2,\) or \(k, 2\)"):
        D.hessian_vector_product(rosenbrock().gradient, [1.0, 2.0], v)
    with pytest.raises(ValueError, match=r"v must have shape \(2,\) or \(k, 2\)"):
        D.directional_derivative(rosenbrock(), [1.0, 2.0], v)


def test_function_returning_the_wrong_shape_is_explained():
    with pytest.raises(ValueError, match="f must return a scalar"):
        D.gradient(lambda x: np.array([1.0, 2.0]), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="f must act elementwise"):
        D.centered_difference(lambda t: 1.0, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"grad must return shape \(2,\)"):
        D.gradient_check(rosenbrock(), lambda x: np.zeros(3), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"F must return a 1-D array"):
        D.jacobian(lambda x: np.eye(2), [1.0, 2.0])


def test_bad_chunk_size_and_fit_range_are_rejected():
    with pytest.raises(ValueError, match="chunk_size must be >= 1"):
        D.gradient(rosenbrock(), [1.0, 2.0], chunk_size=0)
    with pytest.raises(ValueError, match="need at least two distinct steps"):
        D.fitted_order([1e-3, 1e-2], [1e-6, 1e-4], low=1e-1)
    with pytest.raises(ValueError, match="x must be a single number"):
        D.error_versus_step(np.sin, np.cos, [1.0, 2.0])
