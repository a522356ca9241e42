"""Objectives: exact values, gradients and Hessians against scipy and numdifftools."""

import numdifftools as nd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import rosen, rosen_der, rosen_hess

from course_lib import objectives

TWO_D = {
    "rosenbrock": objectives.rosenbrock,
    "himmelblau": objectives.himmelblau,
    "saddle": objectives.saddle,
    "monkey_saddle": objectives.monkey_saddle,
    "beale": objectives.beale,
}


@pytest.mark.parametrize("dim", [2, 5, 30])
def test_rosenbrock_matches_scipy(dim):
    f = objectives.rosenbrock(dim=dim)
    x = np.random.default_rng(dim).uniform(-2, 2, size=(6, dim))
    np.testing.assert_allclose(f.value(x), [rosen(p) for p in x], rtol=1e-13)
    np.testing.assert_allclose(f.gradient(x), [rosen_der(p) for p in x], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(f.hessian(x), [rosen_hess(p) for p in x], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(TWO_D))
def test_gradient_and_hessian_match_numdifftools(name):
    f = TWO_D[name]()
    for p in np.random.default_rng(3).uniform(-1.5, 1.5, size=(4, 2)):
        np.testing.assert_allclose(f.gradient(p), nd.Gradient(f.value)(p), rtol=1e-7, atol=1e-7)
        np.testing.assert_allclose(f.hessian(p), nd.Hessian(f.value)(p), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(TWO_D))
def test_known_critical_points_have_zero_gradient(name):
    f = TWO_D[name]()
    for points in f.critical_points.values():
        np.testing.assert_allclose(f.gradient(points), 0.0, atol=1e-9)


def test_known_minima_have_positive_definite_hessians_and_the_listed_values():
    for f in (objectives.rosenbrock(), objectives.himmelblau(), objectives.beale()):
        assert np.all(np.linalg.eigvalsh(f.hessian(f.minimizers)) > 0)
        np.testing.assert_allclose(f.value(f.minimizers), 0.0, atol=1e-18)


def test_quadratic_has_the_chosen_eigenvalues_and_minimiser():
    f = objectives.quadratic(
        [2.0, 5.0, 9.0],
        b=[1.0, 2.0, 3.0],
        rotation=np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))[0],
    )
    np.testing.assert_allclose(np.linalg.eigvalsh(f.A), [2.0, 5.0, 9.0], rtol=1e-12)
    np.testing.assert_allclose(f.minimizers[0], np.linalg.solve(f.A, f.b), rtol=1e-12)
    x = np.array([0.3, -1.0, 2.0])
    assert f.value(x) == pytest.approx(0.5 * x @ f.A @ x - f.b @ x, rel=1e-13)
    np.testing.assert_allclose(f.gradient(x), nd.Gradient(f.value)(x), rtol=1e-8)


def test_a_numerically_singular_quadratic_is_built_without_a_listed_critical_point():
    # λ = 1e-300 vanishes next to 1 once A is rotated: A is singular to working precision.
    f = objectives.quadratic([1e-300, 1.0], b=[1.0, 1.0], angle=0.3)
    assert f.critical_points == {}
    np.testing.assert_allclose(f.gradient(np.zeros(2)), [-1.0, -1.0])
    g = objectives.quadratic([1e-3, 1.0], b=[1.0, 1.0], angle=0.3)  # tiny but usable
    np.testing.assert_allclose(g.gradient(g.minimizers[0]), 0.0, atol=1e-9)


@pytest.mark.parametrize("kappa", [1.0, 10.0, 1e4])
def test_ill_conditioned_quadratic_has_the_requested_condition_number(kappa):
    f = objectives.ill_conditioned_quadratic(kappa, dim=4, angle=0.0)
    assert np.linalg.cond(f.A) == pytest.approx(kappa, rel=1e-10)


def test_least_squares_objective_matches_the_direct_formula():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    f = objectives.least_squares(X, y)
    w = rng.normal(size=(7, 3))
    direct = 0.5 * np.mean((w @ X.T - y) ** 2, axis=-1)
    np.testing.assert_allclose(f.value(w), direct, rtol=1e-12)
    np.testing.assert_allclose(f.gradient(w), (w @ X.T - y) @ X / 40, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(f.minimizers[0], np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(sorted(TWO_D)),
    batch=st.lists(st.integers(1, 4), min_size=0, max_size=3),
    data=st.data(),
)
def test_batched_evaluation_equals_pointwise_evaluation(name, batch, data):
    f = TWO_D[name]()
    x = data.draw(arrays(float, (*batch, 2), elements=st.floats(-3, 3)))
    v, g, H = f.value(x), f.gradient(x), f.hessian(x)
    assert v.shape == tuple(batch) and g.shape == (*batch, 2) and H.shape == (*batch, 2, 2)
    flat = x.reshape(-1, 2)
    np.testing.assert_allclose(v.reshape(-1), [f.value(p) for p in flat], rtol=1e-12)
    np.testing.assert_allclose(g.reshape(-1, 2), [f.gradient(p) for p in flat], rtol=1e-12)
    np.testing.assert_allclose(H.reshape(-1, 2, 2), [f.hessian(p) for p in flat], rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "exc", "message"),
    [
        (lambda: objectives.rosenbrock().value(np.zeros(3)), ValueError, "last axis of length 2"),
        (lambda: objectives.rosenbrock().value("x"), TypeError, "x must be an array"),
        (lambda: objectives.rosenbrock(dim=1), ValueError, "dim"),
        (lambda: objectives.quadratic([[1.0, 2.0]]), ValueError, "eigenvalues"),
        (lambda: objectives.quadratic([1.0, 2.0], b=[1.0]), ValueError, "b must have shape"),
        (
            lambda: objectives.quadratic([1.0, 2.0], rotation=np.ones((2, 2))),
            ValueError,
            "orthogonal",
        ),
        (lambda: objectives.ill_conditioned_quadratic(0.5), ValueError, "condition_number"),
        (lambda: objectives.least_squares(np.ones((3, 2)), np.ones(2)), ValueError, "y must"),
    ],
)
def test_bad_input_gets_an_error_naming_the_argument(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_importing_course_lib_does_not_import_matplotlib_or_ipywidgets():
    import subprocess
    import sys

    code = (
        "import sys, course_lib, course_lib.descent, course_lib.stochastic, "
        "course_lib.derivatives, course_lib.curvature, course_lib.closed_form; "
        "print(any(m in sys.modules for m in ('matplotlib', 'ipywidgets')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_hessians_at_known_critical_points_have_the_expected_signature():
    # saddle: one positive, one negative eigenvalue; Himmelblau's maximum: both negative;
    # monkey saddle: the Hessian vanishes, so the second-derivative test says nothing
    assert np.prod(np.linalg.eigvalsh(objectives.saddle().hessian(np.zeros(2)))) < 0
    h = objectives.himmelblau()
    assert np.all(np.linalg.eigvalsh(h.hessian(h.critical_points["maximum"])) < 0)
    np.testing.assert_array_equal(objectives.monkey_saddle().hessian(np.zeros(2)), 0.0)


@pytest.mark.parametrize(
    "make",
    [
        lambda: objectives.quadratic([1.0, 30.0, 400.0], b=[1.0, -2.0, 0.5], angle=0.0),
        lambda: objectives.least_squares(
            np.random.default_rng(3).normal(size=(40, 3)), np.random.default_rng(4).normal(size=40)
        ),
        lambda: objectives.rosenbrock(dim=3),
    ],
    ids=["quadratic", "least squares", "rosenbrock (no fused form)"],
)
def test_value_and_gradient_equals_the_separate_calls_bit_for_bit(make):
    f = make()
    x = np.random.default_rng(5).normal(size=(7, 3))
    value, grad = f.value_and_gradient(x)
    np.testing.assert_array_equal(value, f.value(x))
    np.testing.assert_array_equal(grad, f.gradient(x))
    with pytest.raises(ValueError, match="x must have last axis of length 3"):
        f.value_and_gradient(np.zeros((2, 4)))
