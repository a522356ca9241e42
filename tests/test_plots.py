"""Tests of course_lib.plots: each figure holds the data it was given, on the right axes.

Figures are built from synthetic arrays, from ``course_lib.objectives`` and from a tiny
gradient descent written here, so these tests do not depend on the numerical modules.
"""

from __future__ import annotations

import dataclasses
import doctest
import gc
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import plots
from course_lib.objectives import quadratic, rosenbrock, saddle
from course_lib.trajectory import Trajectory, iterate


def tiny_gd(objective, x0, learning_rate, steps):
    """x_{t+1} = x_t − η ∇f(x_t), written out: the independent reference for the paths."""
    xs = [np.asarray(x0, dtype=float)]
    for _ in range(steps):
        xs.append(xs[-1] - learning_rate * objective.gradient(xs[-1]))
    return np.array(xs)


def gd_trajectory(objective, x0, learning_rate, steps, tol=1e-12) -> Trajectory:
    """A Trajectory from the shared loop (``learning_rate`` may be an array: a batch)."""
    eta = np.asarray(learning_rate, dtype=float)[..., None]
    x0 = np.broadcast_to(np.asarray(x0, float), (*eta.shape[:-1], 2))
    return iterate(
        lambda x, g, t: x - eta * g,
        x0,
        objective.value,
        objective.gradient,
        max_iter=steps,
        tol=tol,
        method="test gd",
        params={"learning_rate": learning_rate},
    )


@pytest.fixture(autouse=True)
def default_style():
    plots.use_style("default")
    yield
    plots.use_style("default")


# --------------------------------------------------------------------------- imports


def test_importing_course_lib_loads_neither_matplotlib_nor_ipywidgets():
    code = (
        "import sys, course_lib, course_lib.objectives, course_lib.trajectory; "
        "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'PIL') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_plots_and_widgets_never_import_pyplot():
    code = (
        "import sys, course_lib.plots, course_lib.widgets; "
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_docstring_examples_of_plots_run():
    result = doctest.testmod(plots, extraglobs={"np": np})
    assert result.attempted > 5 and result.failed == 0


# --------------------------------------------------------------------------- level grids


def test_level_grid_holds_f_at_x_j_y_i_for_a_quadratic():
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    eigenvalues, Q = np.linalg.eigh(A)
    f = quadratic(eigenvalues, rotation=Q)
    grid = plots.level_grid(f, bounds=((-1.0, 2.0), (-3.0, 1.0)), resolution=31)
    X, Y = np.meshgrid(grid.x, grid.y)
    expected = 0.5 * (A[0, 0] * X**2 + 2 * A[0, 1] * X * Y + A[1, 1] * Y**2)
    np.testing.assert_allclose(grid.values, expected, rtol=1e-12, atol=1e-12)
    assert grid.x[0] == -1.0 and grid.x[-1] == 2.0 and grid.y[0] == -3.0 and grid.y[-1] == 1.0


def counting(objective):
    """The same objective with a value function that counts its calls."""
    calls = []

    def value(x):
        calls.append(np.shape(x))
        return objective.value(x)

    return dataclasses.replace(objective, value=value), calls


def test_level_grid_is_computed_once_for_two_contour_plots_of_the_same_objective():
    f, calls = counting(rosenbrock())
    first = plots.contour_plot(f, resolution=40)
    second = plots.contour_plot(f, resolution=40)
    assert calls == [(40, 40, 2)]
    assert first.fig is not second.fig
    plots.contour_plot(f, resolution=40, bounds=((-1.0, 1.0), (-1.0, 1.0)))
    assert len(calls) == 2  # new bounds: a new grid


def test_level_cache_does_not_confuse_objectives_that_share_a_name():
    # Same eigenvalues, same name, different rotation: the contours must differ.
    a = quadratic([1.0, 10.0], angle=0.0)
    b = quadratic([1.0, 10.0], angle=0.7)
    assert a.name == b.name
    grid_a = plots.level_grid(a, resolution=20)
    grid_b = plots.level_grid(b, resolution=20)
    assert not np.allclose(grid_a.values, grid_b.values)


def test_level_cache_forgets_an_objective_once_it_is_gone():
    plots.clear_level_cache()
    f = quadratic([1.0, 3.0])
    plots.level_grid(f, resolution=10)
    assert len(plots._GRIDS) == 1
    del f
    gc.collect()
    assert len(plots._GRIDS) == 0


def test_contour_levels_are_geometric_above_an_interior_minimum():
    f = quadratic([1.0, 4.0])
    grid = plots.level_grid(f, resolution=51, levels=12)
    gaps = grid.levels - grid.values.min()
    ratios = gaps[1:] / gaps[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-10)
    assert grid.levels.size == 12


@settings(max_examples=30, deadline=None)
@given(
    st.floats(-3.0, 3.0),
    st.floats(0.1, 5.0),
    st.integers(3, 30),
)
def test_contour_levels_increase_and_lie_within_the_values(shift, scale, n):
    x = np.linspace(-1.0, 1.5, 41)
    values = shift + scale * (x[:, None] ** 2 - 0.5 * x[None, :] ** 3)
    levels = plots.contour_levels(values, n)
    assert np.all(np.diff(levels) > 0)
    assert values.min() <= levels[0] and levels[-1] <= values.max()


def test_contour_levels_of_a_saddle_follow_the_quantiles():
    grid = plots.level_grid(saddle(), resolution=41, levels=9)
    expected = np.quantile(grid.values, np.arange(1, 10) / 10)
    np.testing.assert_allclose(grid.levels, expected)


# --------------------------------------------------------------------------- contour plot


def test_contour_plot_draws_the_gradient_descent_path_it_is_given():
    f = quadratic([1.0, 5.0], angle=0.3)
    x0 = np.array([1.5, -1.0])
    run = gd_trajectory(f, x0, 0.1, 40)
    plot = plots.contour_plot(f, run, ["η = 0.1"])
    expected = tiny_gd(f, x0, 0.1, int(run.stopped_at))
    np.testing.assert_allclose(plot.paths[0].get_xdata(), expected[:, 0], rtol=1e-12)
    np.testing.assert_allclose(plot.paths[0].get_ydata(), expected[:, 1], rtol=1e-12)
    np.testing.assert_array_equal(plot.starts.get_xydata(), [x0])
    np.testing.assert_allclose(plot.ends.get_xydata(), expected[-1:], rtol=1e-12)
    np.testing.assert_array_equal(plot.minimizers.get_xydata(), f.minimizers)
    assert plot.ax.get_xlim() == f.bounds[0] and plot.ax.get_ylim() == f.bounds[1]
    assert plot.ax.get_legend().get_texts()[0].get_text() == "η = 0.1"
    np.testing.assert_allclose(plot.contours.levels, plots.level_grid(f).levels)


def test_contour_plot_accepts_an_empty_path_as_a_placeholder_to_fill_later():
    f = quadratic([1.0, 5.0])
    plot = plots.contour_plot(f, [np.empty((0, 2))])
    assert len(plot.paths) == 1 and plot.paths[0].get_xydata().shape == (0, 2)
    plot.set_paths([np.array([[1.0, 1.0], [0.5, 0.2]])])
    np.testing.assert_array_equal(plot.ends.get_xydata(), [[0.5, 0.2]])


def test_contour_plot_gives_one_path_per_run_of_a_batch_trimmed_to_its_stop():
    f = quadratic([1.0, 4.0])
    etas = np.array([0.05, 0.2, 0.45])
    runs = gd_trajectory(f, [1.0, 1.0], etas, 300, tol=1e-6)
    assert len(set(runs.stopped_at.tolist())) > 1  # they stop at different steps
    plot = plots.contour_plot(f, runs)
    assert len(plot.paths) == 3
    for line, eta, stop in zip(plot.paths, etas, runs.stopped_at, strict=True):
        expected = tiny_gd(f, [1.0, 1.0], eta, int(stop))
        np.testing.assert_allclose(line.get_xydata(), expected, rtol=1e-10, atol=1e-14)


def test_set_paths_moves_the_lines_and_empties_spare_ones():
    f = quadratic([1.0, 2.0])
    plot = plots.contour_plot(f, np.zeros((2, 5, 2)))
    new = np.array([[0.5, 0.5], [0.2, 0.1], [0.0, 0.05]])
    plot.set_paths(new)
    np.testing.assert_array_equal(plot.paths[0].get_xydata(), new)
    assert len(plot.paths[1].get_xdata()) == 0
    np.testing.assert_array_equal(plot.ends.get_xydata(), new[-1:])
    with pytest.raises(ValueError, match="built for 2"):
        plot.set_paths(np.zeros((3, 4, 2)))


def test_a_diverged_path_stops_at_its_last_finite_point_without_warnings():
    f = quadratic([1.0, 4.0])
    path = np.array([[1.0, 1.0], [-2.0, -3.0], [40.0, 90.0], [np.inf, np.nan], [1e300, 1e300]])
    plot = plots.contour_plot(f, path)
    y = plot.paths[0].get_ydata()
    assert np.isnan(y[3:]).all() and np.isfinite(y[:3]).all()
    np.testing.assert_array_equal(plot.ends.get_xydata(), [[40.0, 90.0]])
    plot.fig.canvas.draw()


def test_contour_plot_rejects_what_it_cannot_draw():
    with pytest.raises(ValueError, match="2-D Objective"):
        plots.contour_plot(rosenbrock(dim=3))
    with pytest.raises(ValueError, match="bounds must be"):
        plots.contour_plot(quadratic([1.0, 2.0]), bounds=((1.0, 0.0), (0.0, 1.0)))
    with pytest.raises(ValueError, match="trajectories must hold points in R\\^2"):
        plots.contour_plot(quadratic([1.0, 2.0]), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="labels must have one entry per curve"):
        plots.contour_plot(quadratic([1.0, 2.0]), np.zeros((4, 2)), ["a", "b"])
    with pytest.raises(ValueError, match="max_paths"):
        plots.contour_plot(quadratic([1.0, 2.0]), np.zeros((3, 4, 2)), max_paths=2)


# --------------------------------------------------------------------------- loss curves


def test_loss_curves_show_the_gap_to_the_minimum_on_a_log_axis():
    f = quadratic([1.0, 10.0])
    runs = gd_trajectory(f, [1.0, 1.0], np.array([0.05, 0.1]), 30, tol=0.0)
    plot = plots.loss_curves(runs, ["slow", "fast"], minimum=-1.0)
    assert plot.ax.get_yscale() == "log"
    for line, losses in zip(plot.lines, runs.losses, strict=True):
        np.testing.assert_allclose(line.get_ydata(), losses + 1.0)
        np.testing.assert_array_equal(line.get_xdata(), np.arange(losses.size))
    assert plot.ax.get_ylabel() == "$f(x_t) - f^*$"


def test_loss_curves_leave_out_values_a_log_axis_cannot_show():
    plot = plots.loss_curves(np.array([1.0, 0.1, 0.0, -1.0, np.inf, 0.01]))
    y = plot.lines[0].get_ydata()
    np.testing.assert_array_equal(np.isnan(y), [False, False, True, True, True, False])
    plot.fig.canvas.draw()  # no warning from the log axis


def test_loss_curves_reject_a_wrong_scale():
    with pytest.raises(ValueError, match="xscale must be one of"):
        plots.loss_curves(np.ones(3), xscale="logit")


# --------------------------------------------------------------------------- error versus h


def test_error_versus_step_is_log_log_with_reference_slopes_through_the_anchor():
    h = np.logspace(-6, 0, 25)
    curve = SimpleNamespace(steps=h, errors=3 * h**2, scheme="centered", predicted_best_step=1e-5)
    plot = plots.error_versus_step(curve, reference_orders=(1, 2), anchor=(1e-2, 5e-3))
    assert (plot.ax.get_xscale(), plot.ax.get_yscale()) == ("log", "log")
    np.testing.assert_array_equal(plot.lines[0].get_xdata(), h)
    np.testing.assert_allclose(plot.lines[0].get_ydata(), 3 * h**2)
    for order, line in plot.references.items():
        x, y = np.log(line.get_xdata()), np.log(line.get_ydata())
        slope = np.diff(y) / np.diff(x)
        np.testing.assert_allclose(slope, order, rtol=1e-12)
        np.testing.assert_allclose(y[0], np.log(5e-3) + order * (x[0] - np.log(1e-2)))
    assert plot.best[0].get_xdata()[0] == 1e-5
    assert plot.lines[0].get_label() == "centered"


def test_error_versus_step_default_guides_start_a_decade_below_the_first_curve():
    h = np.logspace(-4, -1, 10)
    plot = plots.error_versus_step([(h, h), (h, h**2)], labels=["forward", "centered"])
    guide = plot.references[2]
    np.testing.assert_allclose(guide.get_ydata()[-1], 0.1 * h[-1])
    np.testing.assert_allclose(guide.get_xdata()[-1], h[-1])


def test_error_versus_step_draws_a_real_step_error_curve():
    derivatives = pytest.importorskip("course_lib.derivatives")
    curve = derivatives.error_versus_step(np.sin, np.cos, 1.0, scheme="centered")
    plot = plots.error_versus_step(curve)
    np.testing.assert_array_equal(plot.lines[0].get_xdata(), curve.steps)
    shown = plot.lines[0].get_ydata()
    positive = curve.errors > 0
    np.testing.assert_array_equal(shown[positive], curve.errors[positive])
    assert np.isnan(shown[~positive]).all()


def test_error_marker_sits_at_the_selected_step():
    h = np.logspace(-3, 0, 5)
    plot = plots.error_versus_step((h, h))
    plot.mark(1e-2, 1e-2)
    np.testing.assert_array_equal(plot.marker.get_xydata(), [[1e-2, 1e-2]])


def test_error_versus_step_rejects_bad_curves():
    with pytest.raises(ValueError, match="steps must be positive"):
        plots.error_versus_step((np.array([0.0, 1.0]), np.ones(2)))
    with pytest.raises(ValueError, match="equal length"):
        plots.error_versus_step((np.ones(3), np.ones(2)))
    with pytest.raises(TypeError, match="StepErrorCurve"):
        plots.error_versus_step("h")


@settings(max_examples=40, deadline=None)
@given(st.floats(0.5, 4.0), st.floats(1e-6, 1.0), st.floats(1e-8, 10.0))
def test_reference_slope_is_a_straight_line_of_slope_p_through_the_anchor(p, h_a, e_a):
    h = np.logspace(-8, 0, 9)
    e = plots.reference_slope(h, p, (h_a, e_a))
    np.testing.assert_allclose(np.diff(np.log(e)) / np.diff(np.log(h)), p, rtol=1e-9)
    np.testing.assert_allclose(plots.reference_slope([h_a], p, (h_a, e_a)), [e_a], rtol=1e-12)


# --------------------------------------------------------------------------- minibatch gradients


def test_gradient_cloud_holds_the_minibatch_gradients_and_their_mean():
    rng = np.random.default_rng(0)
    g_b = rng.normal(size=(50, 2)) + [1.0, -0.5]
    g = np.array([1.0, -0.5])
    plot = plots.gradient_cloud(g_b, g)
    np.testing.assert_array_equal(plot.cloud.get_offsets(), g_b)
    np.testing.assert_array_equal(plot.full.get_xydata(), [[0.0, 0.0], g])
    np.testing.assert_allclose(plot.mean.get_xydata(), [g_b.mean(axis=0)])
    plot.set_gradients(g_b[:5], 2 * g)
    np.testing.assert_array_equal(plot.cloud.get_offsets(), g_b[:5])
    np.testing.assert_array_equal(plot.full.get_xydata()[1], 2 * g)
    lo, hi = plot.ax.get_xlim()
    assert lo == -hi and hi >= np.abs(g_b).max()


def test_gradient_cloud_rejects_gradients_that_are_not_2d():
    with pytest.raises(ValueError, match="minibatch_gradients must have shape \\(m, 2\\)"):
        plots.gradient_cloud(np.zeros((4, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="full_gradient must have shape"):
        plots.gradient_cloud(np.zeros((4, 2)), np.zeros(3))


def test_per_example_gradients_of_least_squares_chain_back_to_zero_at_the_optimum():
    rng = np.random.default_rng(1)
    x = rng.uniform(-2, 2, size=30)
    X = np.column_stack([x, np.ones_like(x)])
    y = 1.5 * x - 0.5 + rng.normal(scale=0.3, size=x.size)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    per_example = X * (X @ w_star - y)[:, None]  # ∇ℓ_i = x_i (x_iᵀw − y_i)
    plot = plots.gradient_contributions(per_example)
    chain = np.vstack([[0.0, 0.0], np.cumsum(per_example, axis=0)])
    np.testing.assert_allclose(plot.chain.get_xydata(), chain)
    np.testing.assert_allclose(plot.total.get_xydata(), [[0.0, 0.0]], atol=1e-10)
    segments = plot.vectors.get_segments()
    assert len(segments) == x.size
    np.testing.assert_allclose([s[1] for s in segments], per_example)
    assert np.abs(per_example).max() > 0.1  # no example alone sits at zero


def test_gradient_contributions_reject_a_wrong_shape():
    with pytest.raises(ValueError, match="per_example_gradients must have shape \\(n, 2\\)"):
        plots.gradient_contributions(np.zeros((5, 3)))


# --------------------------------------------------------------------------- stability


def test_stability_diagram_draws_every_rate_and_the_line_at_two_over_lambda_max():
    lam = np.array([0.5, 2.0, 8.0])
    eta = np.linspace(0.0, 0.4, 81)
    plot = plots.stability_diagram(lam, eta)
    for line, lam_i in zip(plot.rates, lam, strict=True):
        np.testing.assert_allclose(line.get_ydata(), np.abs(1 - eta * lam_i))
    curvature = pytest.importorskip("course_lib.curvature")
    np.testing.assert_allclose(plot.worst.get_ydata(), curvature.gd_rate(lam, eta))
    np.testing.assert_array_equal(plot.limit.get_xdata(), [0.25, 0.25])
    worst = plot.worst.get_ydata()
    assert np.all(worst[(eta > 0) & (eta < 0.25)] < 1) and np.all(worst[eta > 0.25] > 1)


def test_stability_diagram_moves_with_new_eigenvalues_and_marks_the_chosen_rate():
    eta = np.linspace(0.0, 1.0, 11)
    plot = plots.stability_diagram([1.0, 4.0], eta)
    plot.set_eigenvalues([1.0, 10.0])
    assert plot.limit.get_xdata()[0] == pytest.approx(0.2)
    assert plot.mark(0.15) == pytest.approx(max(abs(1 - 0.15), abs(1 - 1.5)))
    np.testing.assert_allclose(plot.marker.get_xydata(), [[0.15, 0.85]])
    plot.set_eigenvalues([-1.0, -2.0])  # no positive curvature: no stability limit
    assert np.isnan(plot.limit.get_xdata()).all()
    with pytest.raises(ValueError, match="eigenvalues must have 2 entries"):
        plot.set_eigenvalues([1.0, 2.0, 3.0])


def test_stability_diagram_rejects_a_single_learning_rate():
    with pytest.raises(ValueError, match="learning_rates must be a 1-D array"):
        plots.stability_diagram([1.0], [0.1])


# --------------------------------------------------------------------------- style and output


def test_presentation_style_makes_bigger_text_lines_and_figures():
    small = plots.loss_curves(np.ones(4))
    plots.use_style("presentation")
    big = plots.loss_curves(np.ones(4))
    assert big.ax.xaxis.label.get_size() > small.ax.xaxis.label.get_size()
    assert big.lines[0].get_linewidth() > small.lines[0].get_linewidth()
    assert big.fig.get_figwidth() > small.fig.get_figwidth()
    with pytest.raises(ValueError, match="name must be one of 'default', 'presentation'"):
        plots.use_style("poster")


def test_a_plot_result_renders_itself_as_a_png_with_its_moving_artists():
    import io

    import matplotlib.colors
    import PIL.Image

    plot = plots.gradient_cloud(np.array([[1.0, 1.0]]), np.array([1.0, 1.0]))
    plot.full.set_animated(True)  # as inside a panel: still part of the saved picture
    image = PIL.Image.open(io.BytesIO(plot._repr_png_()))
    width, height = plot.fig.canvas.get_width_height()
    assert image.size == (width, height)
    pixels = np.asarray(image.convert("RGB")).astype(int)
    c3 = 255 * np.array(matplotlib.colors.to_rgb("C3"))  # the palette's vermillion
    red = np.abs(pixels - c3).max(axis=-1) < 20
    assert red.sum() > 50  # the C3 (red) arrow of the full gradient was drawn


def test_new_figure_has_an_agg_canvas_and_the_asked_grid():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig, axes = plots.new_figure(2, 3)
    assert isinstance(fig.canvas, FigureCanvasAgg)
    assert axes.shape == (2, 3)
    with pytest.raises(ValueError, match="ncols must be >= 1"):
        plots.new_figure(1, 0)
