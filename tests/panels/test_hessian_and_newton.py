"""Lecture 07's figures and panels draw what the library computes, checked against references."""

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.contour import ContourSet

from course_lib.descent import gradient_descent, newton
from course_lib.objectives import himmelblau, quadratic
from course_lib.panels import hessian_and_newton as lecture


def _himmelblau_gradient(p):
    """∇f of (x² + y − 11)² + (x + y² − 7)², differentiated by hand."""
    x, y = p[..., 0], p[..., 1]
    u, v = x**2 + y - 11, x + y**2 - 7
    return np.stack([4 * x * u + 2 * v, 2 * u + 4 * y * v], axis=-1)


def _himmelblau_hessian(p):
    x, y = p
    return np.array([[12 * x**2 + 4 * y - 42, 4 * (x + y)], [4 * (x + y), 12 * y**2 + 4 * x - 26]])


def _kind_by_hand(H):
    lam = np.linalg.eigvalsh(H)
    if lam[0] < 0 < lam[-1]:
        return "saddle"
    return "minimum" if lam[0] > 0 else "maximum"


def _same_set(a, b, atol):
    """Every row of a is within atol of a row of b and vice versa."""
    gap = np.linalg.norm(a[:, None] - b[None], axis=-1)
    return len(a) == len(b) and gap.min(1).max() <= atol and gap.min(0).max() <= atol


# --------------------------------------------------------------------------- critical points


@settings(max_examples=40, deadline=None)
@given(
    centres=st.lists(
        st.tuples(st.integers(-40, 40), st.integers(-40, 40)), min_size=1, unique=True
    ),
    copies=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_distinct_points_keeps_the_first_point_of_each_cluster(centres, copies, seed):
    centres = 0.1 * np.array(centres, float)  # at least 0.1 apart
    rng = np.random.default_rng(seed)
    jittered = np.repeat(centres, copies, axis=0) + rng.uniform(
        -1e-5, 1e-5, (len(centres) * copies, 2)
    )
    order = rng.permutation(len(jittered))
    points = jittered[order]
    kept = lecture.distinct_points(points)
    assert _same_set(kept, centres, atol=2e-5)
    first_of_each = [np.flatnonzero(order // copies == k).min() for k in range(len(centres))]
    np.testing.assert_array_equal(kept, points[np.sort(first_of_each)])


def test_distinct_points_rejects_a_non_positive_tolerance_and_bad_shapes():
    with pytest.raises(ValueError, match="tol"):
        lecture.distinct_points([[0.0, 0.0]], tol=0.0)
    with pytest.raises(ValueError, match="points"):
        lecture.distinct_points([[0.0, 0.0, 0.0]])


def test_himmelblau_has_four_minima_one_maximum_and_four_saddles_classified_by_hand():
    table = lecture.critical_points("Himmelblau")
    f = himmelblau()
    assert table.kinds.tolist() == ["minimum"] * 4 + ["saddle"] * 4 + ["maximum"]
    assert _same_set(table.of_kind("minimum"), f.minimizers, atol=1e-9)
    assert _same_set(table.of_kind("maximum"), f.critical_points["maximum"], atol=1e-9)
    np.testing.assert_allclose(_himmelblau_gradient(table.points), 0.0, atol=1e-8)
    assert [_kind_by_hand(_himmelblau_hessian(p)) for p in table.points] == table.kinds.tolist()
    # the saddles quoted in the literature, to the digits given there
    literature = np.array([[0.0866775, 2.884255], [-3.073026, -0.0813530],
                           [3.385154, 0.0738519], [-0.127961, -1.953715]])  # fmt: skip
    assert _same_set(table.of_kind("saddle"), literature, atol=1e-5)
    np.testing.assert_allclose(table.values, f.value(table.points), rtol=1e-12)
    np.testing.assert_allclose(
        table.eigenvalues, [np.linalg.eigvalsh(_himmelblau_hessian(p)) for p in table.points]
    )


def test_the_other_surfaces_have_their_textbook_critical_points():
    saddle = lecture.critical_points("saddle x² − y²")
    assert saddle.kinds.tolist() == ["saddle"] and saddle.points.tolist() == [[0.0, 0.0]]
    monkey = lecture.critical_points("monkey saddle")
    # the listed exact point replaces the Newton end points that creep towards it
    assert monkey.kinds.tolist() == ["inconclusive"] and monkey.points.tolist() == [[0.0, 0.0]]
    np.testing.assert_array_equal(monkey.eigenvalues, 0.0)
    rosen = lecture.critical_points("Rosenbrock")
    assert rosen.kinds.tolist() == ["minimum"] and rosen.points.tolist() == [[1.0, 1.0]]
    beale = lecture.critical_points("Beale")
    assert beale.kinds.tolist() == ["minimum", "saddle", "saddle"]
    np.testing.assert_allclose(beale.points[0], [3.0, 0.5])
    at = beale.points[1:][np.argmin(np.abs(beale.points[1:, 1] - 1.0))]
    np.testing.assert_allclose(at, [0.0, 1.0], atol=1e-10)
    # at (0, 1): ∂²f/∂x² = Σ 2(yᵏ − 1)² = 0, ∂²f/∂y² = 0, ∂²f/∂x∂y = Σ 2 cₖ k = 27.75
    np.testing.assert_allclose(
        lecture.surface("Beale").hessian(at), [[0, 27.75], [27.75, 0]], atol=1e-9
    )


def test_nearest_and_match_find_the_right_critical_point():
    table = lecture.critical_points("Himmelblau")
    probes = table.points + np.array([0.2, -0.1])
    np.testing.assert_array_equal(table.nearest(probes), np.arange(len(table.points)))
    np.testing.assert_array_equal(table.match(probes), -1)
    np.testing.assert_array_equal(table.match(table.points + 1e-4), np.arange(len(table.points)))


def test_end_kinds_names_where_each_run_of_a_batch_ended():
    table = lecture.critical_points("Himmelblau")
    starts = table.points + 0.05  # next to each critical point
    ends = lecture.end_kinds(newton(himmelblau(), starts, max_iter=50), table)
    assert ends.tolist() == table.kinds.tolist()  # Newton is pulled to the nearest one, any kind
    gd = gradient_descent(himmelblau(), starts, 0.01, max_iter=300)
    assert set(lecture.end_kinds(gd, table).tolist()) == {"minimum"}
    blown = gradient_descent(himmelblau(), [4.5, 4.5], 0.05, max_iter=50)
    assert lecture.end_kinds(blown, table) == "diverged"
    slow = gradient_descent(himmelblau(), [0.0, 0.0], 1e-4, max_iter=5)
    assert lecture.end_kinds(slow, table) == "max_iter"


# --------------------------------------------------------------------------- the maths


@settings(max_examples=30, deadline=None)
@given(
    lam=st.lists(st.floats(0.1, 5.0), min_size=2, max_size=2),
    signs=st.sampled_from([(1, 1), (1, -1), (-1, -1)]),
    b=st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=2),
    x=st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=2),
    angle=st.floats(0.0, 3.0),
)
def test_the_second_order_model_of_a_quadratic_is_the_quadratic(lam, signs, b, x, angle):
    f = quadratic(np.multiply(lam, signs), b=b, angle=angle)
    t = np.linspace(-2.0, 2.0, 9)
    models = lecture.taylor_models(f, x, [0.6, -0.8], t)
    np.testing.assert_allclose(models["second"], models["f"], rtol=1e-10, atol=1e-10)
    v = np.array([0.6, -0.8])
    slope = (f.A @ np.array(x) - np.array(b)) @ v  # ∇f = Ax − b
    np.testing.assert_allclose(models["first"], f.value(np.array(x)) + t * slope, atol=1e-10)


def test_taylor_model_errors_fall_like_t_squared_and_t_cubed():
    t = np.logspace(-3, -1, 9)
    models = lecture.taylor_models(himmelblau(), [1.0, 1.0], [2.0, 4.0], t)  # not a unit vector
    first = np.abs(models["f"] - models["first"])
    second = np.abs(models["f"] - models["second"])
    assert np.polyfit(np.log(t), np.log(first), 1)[0] == pytest.approx(2.0, abs=0.05)
    assert np.polyfit(np.log(t), np.log(second), 1)[0] == pytest.approx(3.0, abs=0.05)


def test_taylor_models_reject_a_zero_direction():
    with pytest.raises(ValueError, match="direction"):
        lecture.taylor_models(himmelblau(), [1.0, 1.0], [0.0, 0.0], [0.1])


@settings(max_examples=30, deadline=None)
@given(
    lam=st.lists(st.floats(0.2, 20.0), min_size=2, max_size=2),
    signs=st.sampled_from([(1, 1), (1, -1), (-1, -1)]),
    g=st.lists(st.floats(-3.0, 3.0), min_size=2, max_size=2),
    angle=st.floats(0.0, 3.0),
)
def test_newton_in_eigenbasis_rebuilds_minus_H_inverse_g(lam, signs, g, angle):
    c, s = np.cos(angle), np.sin(angle)
    Q = np.array([[c, -s], [s, c]])
    H = Q @ np.diag(np.array(lam) * signs) @ Q.T
    H = 0.5 * (H + H.T)
    eigenvalues, coords, step = lecture.newton_in_eigenbasis(g, H)
    _, Q_used = np.linalg.eigh(H)
    np.testing.assert_allclose(Q_used @ step, -np.linalg.solve(H, g), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(Q_used @ coords, g, atol=1e-12)
    # along a direction of negative curvature the Newton step goes uphill: same sign as the slope
    uphill = eigenvalues < 0
    assert np.all(step[uphill] * coords[uphill] >= 0) and np.all(
        step[~uphill] * coords[~uphill] <= 0
    )


def test_third_derivatives_of_himmelblau_match_the_hand_computed_tensor():
    x, y = 1.3, -0.7
    T = lecture.third_derivatives(himmelblau(), [x, y])
    # ∂³f/∂x³ = 24x, ∂³f/∂x²∂y = 4, ∂³f/∂x∂y² = 4, ∂³f/∂y³ = 24y
    expected = np.array([[[24 * x, 4], [4, 4]], [[4, 4], [4, 24 * y]]])
    np.testing.assert_allclose(T, expected, atol=1e-6)


@pytest.mark.parametrize("scale", [1e-2, 1e-3])
def test_predicted_newton_error_matches_one_measured_newton_step(scale):
    f = himmelblau()
    xstar = np.array([3.0, 2.0])
    e = scale * np.array([0.6, -0.8])
    step = newton(f, xstar + e, max_iter=1, tol=0.0)
    measured = np.linalg.norm(step.iterates[1] - xstar)
    predicted = lecture.predicted_newton_errors(f, xstar, e)
    assert predicted == pytest.approx(measured, rel=20 * scale)  # agreement to O(‖e‖)


def test_error_norms_and_drawable_path():
    run = gradient_descent(quadratic([1.0, 2.0]), [3.0, 4.0], 0.1, max_iter=3, tol=0.0)
    np.testing.assert_allclose(lecture.error_norms(run, [0, 0]), np.hypot(*run.iterates.T))
    path = lecture.drawable_path([[0.0, 0.0], [60.0, 0.0], [1.0, 1.0], [np.inf, 0.0]], limit=50)
    np.testing.assert_array_equal(path[:2], [[0.0, 0.0], [60.0, 0.0]])
    assert np.isnan(path[2:]).all()


@given(lam=st.lists(st.floats(-100.0, 100.0), min_size=2, max_size=2))
def test_eigen_axis_lengths_are_proportional_to_curvature_with_a_visible_floor(lam):
    lengths = lecture.eigen_axis_lengths(lam, longest=2.0)
    top = max(abs(v) for v in lam)
    for value, length in zip(lam, lengths, strict=True):
        if abs(value) <= 1e-8 * max(1.0, top):
            assert length == 0.0
        else:
            assert length == pytest.approx(2.0 * max(abs(value) / top, lecture.SHORTEST))


# --------------------------------------------------------------------------- the explorer panel


@pytest.fixture(scope="module")
def panel():
    return lecture.explorer_panel()


def _segment(line):
    return np.column_stack(line.get_data())


def test_explorer_draws_the_gradient_hessian_and_both_steps_of_the_library(panel):
    state = panel.set(function="Himmelblau", x=2.5, y=-0.5, damping=0.6)
    a = panel.artists
    p = np.array([2.5, -0.5])
    g, H = _himmelblau_gradient(p), _himmelblau_hessian(p)
    np.testing.assert_allclose(state["gradient"], g, rtol=1e-12)
    np.testing.assert_allclose(state["hessian"], H, rtol=1e-12)
    # arrows: GD step −η∇f and Newton step −αH⁻¹∇f from the point, ∇f scaled to length ARROW
    gd_start, gd_end = a["gd_step"]._posA_posB
    np.testing.assert_allclose(gd_start, p)
    np.testing.assert_allclose(gd_end, p - 0.01 * g, rtol=1e-12)
    np.testing.assert_allclose(a["newton_step"]._posA_posB[1], p - 0.6 * np.linalg.solve(H, g))
    grad_end = np.array(a["gradient"]._posA_posB[1])
    np.testing.assert_allclose(grad_end - p, lecture.ARROW * g / np.linalg.norm(g), rtol=1e-12)
    # eigen-axes: segments along the eigenvectors, centred on the point, coloured by sign
    lam, Q = np.linalg.eigh(H)
    lengths = lecture.eigen_axis_lengths(lam)
    for line, value, q, half in zip(a["axes"], lam, Q.T, lengths, strict=True):
        ends = _segment(line)
        np.testing.assert_allclose(ends.mean(axis=0), p, atol=1e-12)
        direction = (ends[1] - ends[0]) / np.linalg.norm(ends[1] - ends[0])
        assert abs(direction @ q) == pytest.approx(1.0)
        assert np.linalg.norm(ends[1] - ends[0]) == pytest.approx(2 * half)
        assert line.get_color() == ("C0" if value > 0 else "C3")
    # paths: the library's runs from the point
    gd = gradient_descent(himmelblau(), p, 0.01, max_iter=lecture.GD_STEPS)
    nt = newton(himmelblau(), p, damping=0.6, max_iter=lecture.NEWTON_STEPS)
    np.testing.assert_array_equal(_segment(a["gd_path"]), lecture.drawable_path(gd.iterates))
    np.testing.assert_array_equal(_segment(a["newton_path"]), lecture.drawable_path(nt.iterates))
    np.testing.assert_array_equal(_segment(a["point"]), [p])


def test_explorer_readout_names_the_curvature_and_where_each_method_ends(panel):
    readout = panel.set(function="Himmelblau", x=3.0, y=0.5, damping=1.0)["readout"]
    lam = np.linalg.eigvalsh(_himmelblau_hessian([3.0, 0.5]))
    assert f"λ = ({lam[0]:.3g}, {lam[1]:.3g})" in readout and "model is a saddle" in readout
    assert f"κ = {abs(lam).max() / abs(lam).min():.3g}" in readout
    assert "nearest critical point (3.385, 0.074): saddle" in readout
    assert "GD (η = 0.01): step" in readout and "→ minimum point (3.000, 2.000)" in readout
    assert "Newton (α = 1.00): step" in readout and "→ saddle point (3.385, 0.074)" in readout
    ring = _segment(panel.artists["nearest"])[0]
    np.testing.assert_allclose(ring, [3.385154, 0.0738519], atol=1e-5)
    assert panel.state["finite_difference_gap"] < 1e-4


@pytest.mark.parametrize("damping", [0.3, 0.7, 1.0])
def test_damping_does_not_stop_the_pull_toward_the_saddle(panel, damping):
    state = panel.set(function="Himmelblau", x=3.0, y=0.5, damping=damping)
    assert state["newton_end"] == "saddle" and state["gd_end"] == "minimum"


def test_a_heavily_damped_newton_run_is_reported_as_heading_for_the_saddle(panel):
    state = panel.set(function="Himmelblau", x=3.0, y=0.5, damping=0.05)
    assert state["newton_end"] == "max_iter"  # 0.95 a step: not there after 100 steps
    assert "heading for the saddle point (3.385, 0.074)" in state["readout"]


def test_explorer_on_the_saddle_jumps_there_in_one_newton_step_and_gd_leaves(panel):
    state = panel.set(function="saddle x² − y²", x=1.0, y=0.5, damping=1.0)
    assert int(state["newton"].stopped_at) == 1 and state["newton_end"] == "saddle"
    np.testing.assert_allclose(state["newton"].final, [0.0, 0.0], atol=1e-15)
    assert "left the picture" in state["readout"]
    y = state["gd"].iterates[:, 1]
    np.testing.assert_allclose(y[1:] / y[:-1], 1.2)  # y ← y + 2ηy with η = 0.1


def test_explorer_at_the_monkey_saddle_is_inconclusive_and_draws_no_steps(panel):
    state = panel.set(function="monkey saddle", x=0.0, y=0.0)
    a = panel.artists
    assert "nearest critical point (0.000, 0.000): inconclusive" in state["readout"]
    assert not any(a[k].get_visible() for k in ("gradient", "gd_step", "newton_step"))
    assert not any(line.get_visible() for line in a["axes"])  # H = 0: no curvature to draw
    state = panel.set(x=1.0)
    assert state["newton_end"] == "inconclusive" and a["newton_step"].get_visible()


def test_switching_function_redraws_the_background_and_moving_the_point_does_not(panel):
    panel.set(function="Himmelblau", x=1.0, y=1.0)
    draws = panel.background_draws
    panel.set(x=1.5, y=-2.0, damping=0.8)
    assert panel.background_draws == draws and not panel.last_timing["full_redraw"]
    panel.set(function="Rosenbrock")
    assert panel.background_draws == draws + 1 and panel.last_timing["full_redraw"]
    assert panel.artists["ax"].get_title().startswith("Rosenbrock")
    panel.set(function="Himmelblau")
    panel.set(function="Rosenbrock")
    contours = [c for c in panel.artists["ax"].collections if isinstance(c, ContourSet)]
    visible = [c for c in contours if c.get_visible()]
    assert len(contours) == len(panel.artists["backgrounds"])  # each surface traced once
    assert visible == [panel.artists["backgrounds"]["Rosenbrock"][0]]


def test_explorer_refuses_values_outside_its_controls(panel):
    with pytest.raises(ValueError, match="x"):
        panel.set(x=5.0)
    with pytest.raises(ValueError, match="damping"):
        panel.set(damping=0.0)
    with pytest.raises(ValueError, match="function"):
        panel.set(function="Ackley")


def test_surface_rejects_an_unknown_name():
    with pytest.raises(ValueError, match="name"):
        lecture.surface("Ackley")


@pytest.mark.parametrize("name", sorted(lecture.PANELS))
def test_every_listed_panel_builds_without_arguments_and_renders(name):
    panel = lecture.PANELS[name]()
    assert panel.png.startswith(b"\x89PNG")
    assert panel.readout


def test_static_figures_render():
    table = lecture.critical_points("Himmelblau")
    xs = np.linspace(-4.5, 4.5, 5)
    starts = np.stack(np.meshgrid(xs, xs), axis=-1)
    kinds = lecture.end_kinds(newton(himmelblau(), starts, max_iter=40), table)
    assert kinds.shape == (5, 5)
    figures = [
        lecture.critical_points_figure(["Himmelblau", "Beale"]),
        lecture.basins_figure(himmelblau(), xs, {"Newton": kinds}, table),
        lecture.error_figure({"run": [1.0, 0.1, 0.01]}, {"run": [np.nan, 0.1, 0.01]}),
    ]
    for figure in figures:
        assert figure._repr_png_().startswith(b"\x89PNG")


def test_docstring_examples_run():
    result = doctest.testmod(lecture, extraglobs={"np": np})
    assert result.attempted > 5 and result.failed == 0


def test_explorer_reports_a_singular_hessian_instead_of_a_newton_step(panel):
    # Rosenbrock's Hessian [[1200x² − 400y + 2, −400x], [−400x, 200]] is singular on y = x² + 0.005
    state = panel.set(function="Rosenbrock", x=0.5, y=0.255)
    np.testing.assert_allclose(state["hessian"], [[200.0, -200.0], [-200.0, 200.0]])
    assert "Hessian singular: no Newton step" in state["readout"]
    assert not panel.artists["newton_step"].get_visible()
    assert panel.artists["gd_step"].get_visible()  # the gradient step is still defined
