"""Nelder–Mead (lecture 11), checked against scipy.optimize.minimize(method="Nelder-Mead")."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from course_lib import gradient_free as gf
from course_lib.objectives import himmelblau, quadratic, rosenbrock

TIGHT = {"xatol": 1e-10, "fatol": 1e-12}
CASES = [
    (rosenbrock(), [-1.2, 1.0]),
    (rosenbrock(), [2.0, -1.0]),
    (himmelblau(), [0.0, 0.0]),
    (himmelblau(), [-1.0, -1.0]),
    (himmelblau(), [-2.0, 2.0]),
]


def _scipy(f, x0, adaptive=False, budget=None):
    opts = {"xatol": 1e-10, "fatol": 1e-12, "adaptive": adaptive}
    if budget:
        opts |= {"maxiter": budget, "maxfev": budget}
    return minimize(f, np.asarray(x0, float), method="Nelder-Mead", options=opts)


@pytest.mark.parametrize(("objective", "x0"), CASES)
def test_reaches_the_same_minimum_as_scipy_with_a_similar_evaluation_count(objective, x0):
    ours = gf.nelder_mead(objective, x0, **TIGHT)
    ref = _scipy(objective.value, x0)
    assert ours.status == "converged" and ref.success
    np.testing.assert_allclose(ours.x, ref.x, atol=1e-6)
    assert abs(ours.fun - ref.fun) <= 1e-10
    assert 0.5 <= ours.total_evaluations / ref.nfev <= 2.0


@pytest.mark.parametrize(("objective", "x0"), CASES)
def test_converges_to_a_known_minimiser(objective, x0):
    res = gf.nelder_mead(objective, x0, **TIGHT)
    distances = np.linalg.norm(objective.minimizers - res.x, axis=1)
    assert distances.min() <= 1e-6


def test_adaptive_coefficients_match_scipy_adaptive_in_five_dimensions():
    f = rosenbrock(dim=5)
    x0 = np.array([0.5, -0.3, 1.2, 0.1, 0.8])
    ours = gf.nelder_mead(f, x0, adaptive=True, max_iter=20000, max_evaluations=20000, **TIGHT)
    ref = _scipy(f.value, x0, adaptive=True, budget=20000)
    np.testing.assert_allclose(ours.x, ref.x, atol=1e-6)
    np.testing.assert_allclose(ours.x, np.ones(5), atol=1e-6)
    assert 0.5 <= ours.total_evaluations / ref.nfev <= 2.0


def test_adaptive_coefficients_follow_gao_han():
    d = 7
    assert gf.coefficients(d, adaptive=True) == pytest.approx(
        (1.0, 1 + 2 / d, 0.75 - 1 / (2 * d), 1 - 1 / d)
    )
    assert gf.coefficients(d) == (1.0, 2.0, 0.5, 0.5)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-4, 4), min_size=2, max_size=2))
def test_history_is_consistent_and_the_best_value_never_increases(x0):
    f = himmelblau()
    res = gf.nelder_mead(f, x0, max_iter=60)
    T = res.n_iterations
    assert res.simplices.shape == (T + 1, 3, 2)
    assert res.values.shape == (T + 1, 3) and res.n_evaluations.shape == (T + 1,)
    # the stored values are f at the stored vertices, sorted best first
    np.testing.assert_allclose(res.values, f.value(res.simplices), rtol=1e-12, atol=1e-12)
    assert np.all(np.diff(res.values, axis=1) >= 0)
    assert np.all(np.diff(res.values[:, 0]) <= 0)
    assert set(res.moves) <= set(gf.MOVES)
    assert res.fun == res.values[-1, 0] and np.array_equal(res.x, res.simplices[-1, 0])


def test_evaluation_counts_equal_the_calls_actually_made():
    calls = []

    def counted(points):
        calls.append(len(points) if np.ndim(points) == 2 else 1)
        return himmelblau().value(points)

    res = gf.nelder_mead(counted, [0.5, 0.5], max_iter=80)
    # + 2: the first and last vertex of the starting simplex evaluated alone, to check
    # that f really is vectorised (a plain function, not an Objective)
    assert res.total_evaluations + 2 == sum(calls)
    calls.clear()
    res = gf.nelder_mead(himmelblau(), [0.5, 0.5], max_iter=80)  # an Objective: no check
    assert (
        res.total_evaluations
        == gf.nelder_mead(counted, [0.5, 0.5], max_iter=80, vectorized=False).total_evaluations
    )
    assert res.total_evaluations == sum(calls)
    # per move: reflect 1 (2 if an expansion was tried and lost), expand 2,
    # contraction 2, shrink 2 + d
    per_step = np.diff(res.n_evaluations)
    for move, k in zip(res.moves, per_step, strict=True):
        allowed = {"reflect": {1, 2}, "expand": {2}, "contract_outside": {2}}
        allowed |= {"contract_inside": {2}, "shrink": {2 + 2}}
        assert k in allowed[move]


def test_pointwise_and_vectorised_evaluation_give_the_same_run():
    f = rosenbrock()
    a = gf.nelder_mead(f, [-1.2, 1.0], max_iter=100)
    b = gf.nelder_mead(lambda p: float(f.value(p)), [-1.2, 1.0], max_iter=100, vectorized=False)
    np.testing.assert_array_equal(a.simplices, b.simplices)
    np.testing.assert_array_equal(a.moves, b.moves)


def test_every_kind_of_move_occurs_on_rosenbrock():
    res = gf.nelder_mead(rosenbrock(), [-1.2, 1.0], **TIGHT)
    assert {"reflect", "expand", "contract_inside", "contract_outside"} <= set(res.moves)


def test_shrink_happens_when_no_line_point_improves():
    # f = |x| + |y| style kink plus a simplex straddling the minimum: force a shrink by
    # a function that is worse everywhere off the vertices of the start.
    def f(p):
        p = np.atleast_2d(p)
        on_start = np.all(np.isin(np.round(p, 12), [0.0, 1.0]), axis=-1)
        return np.where(on_start, np.sum(p, axis=-1), 10.0)

    start = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    res = gf.nelder_mead(f, [0.0, 0.0], initial=start, max_iter=1)
    assert res.moves.tolist() == ["shrink"]
    np.testing.assert_allclose(res.simplices[1][0], [0.0, 0.0])


def test_moves_follow_their_geometric_definitions():
    sim = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 3.0]])
    c = np.array([1.0, 0.0])  # centroid of the two best
    assert np.allclose(gf.centroid(sim, 2), c)
    xr = gf.reflect(sim, 2)
    assert np.allclose((xr + sim[2]) / 2, c)  # the centroid is the midpoint
    xe = gf.expand(sim, 2)
    assert np.allclose(xe - c, 2 * (xr - c))
    assert np.allclose(gf.contract_outside(sim, 2) - c, 0.5 * (xr - c))
    assert np.allclose(gf.contract_inside(sim, 2) - c, 0.5 * (sim[2] - c))
    shrunk = gf.shrink(sim, 0)
    assert np.allclose(shrunk - sim[0], 0.5 * (sim - sim[0]))


def test_initial_simplex_matches_scipy_convention():
    x0 = np.array([2.0, 0.0, -1.0])
    sim = gf.initial_simplex(x0)
    expected = np.array([x0, [2.1, 0, -1], [2, 0.00025, -1], [2, 0, -1.05]])
    np.testing.assert_allclose(sim, expected)


def test_evaluations_grow_with_dimension_like_scipys():
    counts, ref = [], []
    for d in (2, 4, 8):
        f = quadratic(np.linspace(1.0, 3.0, d))
        x0 = np.ones(d)
        counts.append(
            gf.nelder_mead(f, x0, max_iter=50000, max_evaluations=50000).total_evaluations
        )
        ref.append(minimize(f.value, x0, method="Nelder-Mead").nfev)
    assert counts[0] < counts[1] < counts[2]
    ratios = np.array(counts) / np.array(ref)
    assert np.all((ratios > 0.5) & (ratios < 2.0))


def test_budget_stops_the_run_with_status_max_iter():
    res = gf.nelder_mead(rosenbrock(), [-1.2, 1.0], max_iter=5)
    assert res.status == "max_iter" and res.n_iterations == 5
    assert res.simplices.shape == (6, 3, 2)
    res = gf.nelder_mead(rosenbrock(), [-1.2, 1.0], max_evaluations=20)
    assert res.status == "max_iter" and res.total_evaluations < 20 + 2 + 2


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"f": 3.0}, TypeError, "f must be callable"),
        ({"x0": [[1.0, 2.0]]}, ValueError, "x0 must be a single point"),
        ({"x0": [np.nan, 1.0]}, ValueError, "x0 must contain only finite"),
        ({"max_iter": -1}, ValueError, "max_iter"),
        ({"xatol": -1.0}, ValueError, "xatol"),
        ({"initial": np.zeros((2, 2))}, ValueError, r"initial must have shape \(3, 2\)"),
    ],
)
def test_bad_input_is_reported_by_name(kwargs, err, match):
    args = {"f": rosenbrock(), "x0": [0.0, 0.0]} | kwargs
    with pytest.raises(err, match=match):
        gf.nelder_mead(args.pop("f"), args.pop("x0"), **args)
