"""Tests of course_lib.widgets: panels drive their callback without a browser.

Each test moves a control with ``panel.set`` (what a student's drag does) or by assigning
the widget's value (what the browser does), then checks the artists hold what the library
computes, that the readout and the picture changed, and that the figure was never rebuilt
and its still background drawn only once. No timings are asserted.
"""

from __future__ import annotations

import base64
import doctest
import io

import ipywidgets
import numpy as np
import PIL.Image
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import plots, widgets
from course_lib.objectives import quadratic
from course_lib.trajectory import iterate

F = quadratic([1.0, 10.0], angle=0.4)
X0 = np.array([1.5, 1.0])


def tiny_gd(objective, x0, learning_rate, steps):
    """x_{t+1} = x_t − η ∇f(x_t), written out: the independent reference."""
    xs = [np.asarray(x0, dtype=float)]
    for _ in range(steps):
        xs.append(xs[-1] - learning_rate * objective.gradient(xs[-1]))
    return np.array(xs)


def gd_run(learning_rate, steps=60):
    """A Trajectory of fixed-step GD on F from the shared loop (a stand-in for descent)."""
    eta = np.asarray(learning_rate, dtype=float)[..., None]
    x0 = np.broadcast_to(X0, (*eta.shape[:-1], 2))
    return iterate(
        lambda x, g, t: x - eta * g,
        x0,
        F.value,
        F.gradient,
        max_iter=steps,
        tol=1e-10,
        method="test gd",
        params={},
    )


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"))


def count_draws(artist) -> list:
    """Wrap ``artist.draw`` so each call is recorded."""
    calls = []
    original = artist.draw

    def draw(renderer):
        calls.append(1)
        return original(renderer)

    artist.draw = draw
    return calls


@pytest.fixture
def gd_panel():
    """A hand-built panel: contours of F (still) and a GD path (moving)."""
    plot = plots.contour_plot(F, tiny_gd(F, X0, 0.05, 30))
    calls = []

    def update(lr, steps):
        calls.append((lr, steps))
        path = tiny_gd(F, X0, lr, steps)
        plot.set_paths(path)
        return f"η = {lr:.3f}: f(x_T) = {F.value(path[-1]):.3e}"

    controls = {"lr": widgets.slider(0.01, 0.2, 0.05), "steps": (1, 100)}
    panel = widgets.Panel(plot, update, controls)
    return panel, plot, calls


# --------------------------------------------------------------------------- the panel


def test_a_slider_move_updates_the_path_readout_and_picture_of_the_same_figure(gd_panel):
    panel, plot, _ = gd_panel
    figure, image, readout = panel.figure, panel.png, panel.readout
    contour_draws = count_draws(plot.contours)
    panel.set(lr=0.15, steps=40)
    expected = tiny_gd(F, X0, 0.15, 40)
    np.testing.assert_allclose(plot.paths[0].get_xydata(), expected, rtol=1e-12)
    np.testing.assert_allclose(plot.ends.get_xydata(), expected[-1:], rtol=1e-12)
    assert panel.readout != readout and panel.readout.startswith("η = 0.150")
    assert panel.png != image and not np.array_equal(pixels(panel.png), pixels(image))
    assert panel.figure is figure and plot.fig is figure
    assert panel.background_draws == 1 and contour_draws == []  # the contours were not redrawn
    assert panel.values == {"lr": 0.15, "steps": 40}


def test_the_callback_runs_once_at_construction_and_once_per_set(gd_panel):
    panel, _, calls = gd_panel
    assert calls == [(0.05, 50)]
    panel.set(lr=0.1, steps=20)  # two controls, one redraw
    assert calls == [(0.05, 50), (0.1, 20)]


def test_a_broken_callback_fails_when_the_panel_is_built():
    fig, ax = plots.new_figure()

    def update(x):
        raise ZeroDivisionError("the lecture's bug")

    with pytest.raises(ZeroDivisionError, match="the lecture's bug"):
        widgets.Panel(fig, update, {"x": (0.0, 1.0)})


def test_moving_the_widget_itself_runs_the_callback_as_the_browser_would(gd_panel):
    panel, plot, calls = gd_panel
    panel.controls["lr"].value = 0.12
    assert calls[-1] == (0.12, 50)
    np.testing.assert_allclose(plot.paths[0].get_xydata(), tiny_gd(F, X0, 0.12, 50))
    assert "η = 0.120" in panel.widget.children[2].value


def test_an_error_from_a_browser_move_is_shown_in_the_readout_not_raised():
    fig, ax = plots.new_figure()
    (line,) = ax.plot([0, 1], [0, 1])

    def update(x):
        if x > 0.5:
            raise ValueError("x too large for this model")
        line.set_ydata([0, x])
        return "fine"

    panel = widgets.Panel(fig, update, {"x": (0.0, 1.0, 0.1)}, [line])
    panel.controls["x"].value = 0.9
    assert "x too large for this model" in panel.widget.children[2].value
    with pytest.raises(ValueError, match="x too large"):
        panel.set(x=0.8)  # set() is for code: it raises


def test_changing_a_still_artist_redraws_and_recaches_the_background_once(gd_panel):
    panel, plot, _ = gd_panel
    contour_draws = count_draws(plot.contours)
    plot.ax.set_title("new title")  # a still artist changed: the figure is stale
    panel.set(lr=0.1)
    assert panel.background_draws == 2 and len(contour_draws) == 1
    assert panel.last_timing["full_redraw"] is True
    panel.set(lr=0.11)
    assert panel.background_draws == 2 and len(contour_draws) == 1
    panel.refresh(static=True)
    assert panel.background_draws == 3


def test_last_timing_reports_compute_draw_and_encode(gd_panel):
    panel, _, _ = gd_panel
    panel.set(lr=0.07)
    timing = panel.last_timing
    assert set(timing) == {"compute_ms", "draw_ms", "encode_ms", "total_ms", "full_redraw"}
    assert all(timing[k] >= 0 for k in ("compute_ms", "draw_ms", "encode_ms"))
    assert timing["full_redraw"] is False


def test_the_readout_carries_the_moves_kernel_time_for_the_latency_benchmark(gd_panel):
    panel, _, _ = gd_panel
    panel.set(lr=0.08)
    html_text = panel._text.value
    for key in ("compute_ms", "draw_ms", "encode_ms", "total_ms"):
        attribute = f'data-{key.replace("_", "-")}="{panel.last_timing[key]:.2f}"'
        assert attribute in html_text
    assert html_text.endswith(f">{panel.readout}</pre>")  # the visible text is unchanged


@settings(max_examples=60, deadline=None)
@given(
    height=st.integers(1, 40),
    width=st.integers(1, 40),
    channels=st.sampled_from([3, 4]),
    level=st.integers(0, 9),
    seed=st.integers(0, 2**32 - 1),
)
def test_png_bytes_decodes_to_the_same_pixels_in_pillow(height, width, channels, level, seed):
    rng = np.random.default_rng(seed)
    # Half noise, half flat runs: both what zlib finds hard and what a plot looks like.
    pixels = rng.integers(0, 256, (height, width, channels), dtype=np.uint8)
    pixels[: height // 2] = pixels[0, 0]
    decoded = PIL.Image.open(io.BytesIO(widgets.png_bytes(pixels, level)))
    assert decoded.mode == ("RGB" if channels == 3 else "RGBA")
    np.testing.assert_array_equal(np.asarray(decoded), pixels)


def test_the_panel_png_is_the_canvas_pixels_exactly(gd_panel):
    panel, plot, _ = gd_panel
    panel.set(lr=0.09)
    shown = np.asarray(PIL.Image.open(io.BytesIO(panel.png)))
    np.testing.assert_array_equal(shown, np.asarray(plot.fig.canvas.buffer_rgba())[..., :3])


def test_png_bytes_names_what_it_expects():
    with pytest.raises(ValueError, match="pixels must be a uint8 array"):
        widgets.png_bytes(np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match=r"\(h, w, 3\) or \(h, w, 4\)"):
        widgets.png_bytes(np.zeros((2, 2), np.uint8))


def test_set_rejects_unknown_controls_and_values_a_slider_would_clip(gd_panel):
    panel, _, calls = gd_panel
    with pytest.raises(ValueError, match="unknown control\\(s\\) \\['learning_rate'\\]"):
        panel.set(learning_rate=0.1)
    with pytest.raises(ValueError, match="lr must lie in \\[0.01, 0.2\\], got 0.5"):
        panel.set(lr=0.5)
    with pytest.raises(TypeError, match="steps must be an integer"):
        panel.set(steps=2.5)
    assert len(calls) == 1 and panel.values["lr"] == 0.05  # nothing moved


def test_a_dropdown_control_accepts_only_its_options():
    fig, _ = plots.new_figure()
    panel = widgets.Panel(fig, lambda scheme: scheme, {"scheme": ["forward", "centered"]})
    assert panel.set(scheme="centered") == "centered" and panel.readout == "centered"
    with pytest.raises(ValueError, match="scheme must be one of \\['forward', 'centered'\\]"):
        panel.set(scheme="backward")


def test_update_may_return_a_dict_kept_as_the_state():
    fig, _ = plots.new_figure()
    panel = widgets.Panel(fig, lambda k: {"readout": f"k = {k}", "k2": k * k}, {"k": (0, 10)})
    panel.set(k=3)
    assert panel.state == {"readout": "k = 3", "k2": 9} and panel.readout == "k = 3"


def test_the_png_has_the_figure_size_and_jpeg_is_available(gd_panel):
    panel, plot, _ = gd_panel
    width, height = plot.fig.canvas.get_width_height()
    assert PIL.Image.open(io.BytesIO(panel.png)).size == (width, height)
    fig, _ = plots.new_figure()
    jpeg = widgets.Panel(fig, lambda x: "", {"x": (0.0, 1.0)}, image_format="jpeg")
    assert jpeg.png[:2] == b"\xff\xd8"  # a JPEG stream
    assert jpeg.to_png()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="image_format must be one of 'png', 'jpeg'"):
        widgets.Panel(fig, lambda x: "", {"x": (0.0, 1.0)}, image_format="gif")


def test_to_png_is_the_picture_shown_and_savefig_writes_a_handout(gd_panel, tmp_path):
    panel, plot, _ = gd_panel
    np.testing.assert_array_equal(pixels(panel.to_png()), pixels(panel.png))
    panel.savefig(tmp_path / "handout.pdf")
    assert (tmp_path / "handout.pdf").read_bytes()[:4] == b"%PDF"
    panel.set(lr=0.08)  # the canvas was used for saving: the background is redrawn
    assert panel.background_draws == 2
    np.testing.assert_allclose(plot.paths[0].get_xydata(), tiny_gd(F, X0, 0.08, 50))


def test_a_bare_panel_displays_as_its_widget(gd_panel):
    panel, _, _ = gd_panel
    bundle, metadata = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    # a page without a kernel (the course site, a deck) shows the picture, with its alt text
    assert base64.b64decode(bundle["image/png"]) == panel.to_png()
    assert metadata["image/png"]["alt"] == panel.alt_text
    assert panel.readout.split()[0] in panel.alt_text  # the setting shown is said in words
    assert panel.widget._repr_mimebundle_()[0].keys() == bundle.keys()  # `panel.widget` too
    assert isinstance(panel.widget, ipywidgets.VBox)
    assert isinstance(panel.widget.children[1], ipywidgets.Image)
    assert "lr=0.05" in repr(panel)


def test_panel_rejects_what_is_not_a_figure_or_callable():
    with pytest.raises(TypeError, match="figure must be a matplotlib Figure"):
        widgets.Panel("fig", lambda: "", {})
    fig, _ = plots.new_figure()
    with pytest.raises(TypeError, match="update must be callable"):
        widgets.Panel(fig, "update", {})
    with pytest.raises(TypeError, match="controls must be a dict"):
        widgets.Panel(fig, lambda: "", [("x", (0, 1))])


# --------------------------------------------------------------------------- controls


def test_control_specs_make_the_expected_widgets():
    assert isinstance(widgets.control((0, 10), "n"), ipywidgets.IntSlider)
    real = widgets.control((0.0, 1.0, 0.1), "noise")
    assert isinstance(real, ipywidgets.FloatSlider) and real.step == 0.1 and real.value == 0.5
    assert real.description == "noise"
    menu = widgets.control(["a", "b"], "scheme")
    assert isinstance(menu, ipywidgets.Dropdown) and menu.value == "a"
    log = widgets.slider(1e-4, 1.0, 1e-2, log=True)
    assert isinstance(log, ipywidgets.FloatLogSlider) and log.value == pytest.approx(1e-2)
    assert (log.min, log.max) == (-4.0, 0.0)
    buttons = widgets.choice(["x", "y"], "y", buttons=True)
    assert isinstance(buttons, ipywidgets.ToggleButtons) and buttons.value == "y"
    own = ipywidgets.Checkbox(value=True)
    assert widgets.control(own, "show") is own and own.description == "show"
    slow = widgets.slider(0.0, 1.0, continuous_update=False)
    assert slow.continuous_update is False


def test_control_specs_that_make_no_sense_are_refused():
    with pytest.raises(TypeError, match="control 'lr' must be a widget"):
        widgets.control("0.1", "lr")
    with pytest.raises(ValueError, match="low < high"):
        widgets.slider(1.0, 0.0)
    with pytest.raises(ValueError, match="0 < low < high"):
        widgets.slider(0.0, 1.0, log=True)
    with pytest.raises(ValueError, match="options must not be empty"):
        widgets.choice([])


def test_a_log_slider_checks_its_range_in_values_not_exponents():
    fig, _ = plots.new_figure()
    panel = widgets.Panel(fig, lambda h: f"{h:.0e}", {"h": widgets.slider(1e-8, 1.0, log=True)})
    panel.set(h=1e-6)
    assert panel.values["h"] == pytest.approx(1e-6)
    with pytest.raises(ValueError, match="h must lie in"):
        panel.set(h=10.0)


# --------------------------------------------------------------------------- builders


def test_contour_panel_draws_the_run_for_the_slider_value_on_cached_contours():
    calls = []

    def value(x):
        calls.append(np.shape(x))
        return F.value(x)

    import dataclasses

    f = dataclasses.replace(F, value=value)
    panel = widgets.contour_panel(f, gd_run, {"learning_rate": (0.01, 0.21)})
    grid_calls = [c for c in calls if len(c) == 3]
    figure = panel.figure
    panel.set(learning_rate=0.15)
    run = gd_run(0.15)
    expected = tiny_gd(F, X0, 0.15, int(run.stopped_at))
    np.testing.assert_allclose(panel.plot.paths[0].get_xydata(), expected, rtol=1e-10)
    assert panel.readout == (
        f"run: {run.status.item()} after {int(run.stopped_at)} steps, "
        f"f = {float(run.final_loss):.6g}"
    )
    assert panel.figure is figure and panel.background_draws == 1
    assert len(grid_calls) == 1 and len([c for c in calls if len(c) == 3]) == 1


def test_contour_panel_shows_every_run_of_a_batch_with_its_status():
    panel = widgets.contour_panel(
        F,
        lambda top: gd_run(np.array([0.05, top])),
        {"top": widgets.slider(0.1, 0.3, 0.1)},
        labels=["η = 0.05", "η = top"],
    )
    panel.set(top=0.25)  # above 2/λmax = 0.2: that run diverges
    assert len(panel.plot.paths) == 2
    assert "η = top: diverged" in panel.readout and "η = 0.05: " in panel.readout
    np.testing.assert_allclose(panel.plot.paths[0].get_xydata()[:5], tiny_gd(F, X0, 0.05, 4))


def test_contour_panel_custom_readout_gets_values_and_trajectories():
    panel = widgets.contour_panel(
        F,
        gd_run,
        {"learning_rate": (0.01, 0.19)},
        readout=lambda values, run: f"{values['learning_rate']:.2f}/{int(run.stopped_at)}",
    )
    panel.set(learning_rate=0.1)
    assert panel.readout == f"0.10/{int(gd_run(0.1).stopped_at)}"


def test_curve_panel_lines_hold_what_compute_returns_on_fixed_axes():
    h = np.logspace(-4, 0, 30)

    def compute(p, scale):
        return {"error": (h, scale * h**p), "guide": (h, h)}

    panel = widgets.curve_panel(
        compute,
        {"p": (1.0, 3.0), "scale": widgets.slider(0.1, 10.0, 1.0, log=True)},
        xscale="log",
        yscale="log",
        ylim=(1e-14, 1e2),
        readout=lambda values, curves: f"p = {values['p']:.1f}",
    )
    limits = panel.figure.axes[0].get_ylim()
    panel.set(p=2.5, scale=3.0)
    np.testing.assert_allclose(panel.lines["error"].get_ydata(), 3.0 * h**2.5)
    assert panel.readout == "p = 2.5"
    assert panel.figure.axes[0].get_ylim() == limits and panel.background_draws == 1


def test_curve_panel_refuses_a_curve_it_was_not_built_with():
    def compute(k):
        return {"a": ([0, 1], [0, k])} if k < 5 else {"b": ([0, 1], [1, 1])}

    panel = widgets.curve_panel(compute, {"k": widgets.slider(0, 10, 2)})
    with pytest.raises(ValueError, match="new curve\\(s\\) \\['b'\\]"):
        panel.set(k=7)
    with pytest.raises(TypeError, match="compute must return a dict"):
        widgets.curve_panel(lambda k: [1, 2], {"k": (0, 10)})


def test_iteration_scrubber_shows_the_path_up_to_the_chosen_iteration():
    runs = [gd_run(0.05, steps=40), gd_run(0.15, steps=10)]
    panel = widgets.iteration_scrubber(runs, F, labels=["slow", "fast"], minimum=0.0)
    assert panel.values == {"t": 0}
    panel.set(t=25)
    heads = panel._animated[:2]
    np.testing.assert_allclose(heads[0].get_xydata(), runs[0].iterates[:26])
    np.testing.assert_allclose(heads[1].get_xydata(), runs[1].iterates)  # stopped at 10
    dots = panel._animated[2]
    np.testing.assert_allclose(dots.get_xydata(), [runs[0].iterates[25], runs[1].iterates[-1]])
    assert f"f = {runs[0].losses[25]:.6g}" in panel.readout
    assert panel.controls["t"].max == 40
    assert isinstance(panel.widget.children[0].children[0], ipywidgets.Play)


def test_iteration_scrubber_without_an_objective_shows_the_loss_only():
    panel = widgets.iteration_scrubber(gd_run(0.1, steps=20), play=False)
    assert len(panel.figure.axes) == 1
    panel.set(t=5)
    cursor = panel._animated[0]
    assert list(cursor.get_xdata()) == [5, 5]
    with pytest.raises(TypeError, match="trajectory must be a Trajectory"):
        widgets.iteration_scrubber([np.zeros((3, 2))])


def test_docstring_examples_of_widgets_run():
    result = doctest.testmod(widgets, extraglobs={"np": np})
    assert result.attempted > 5 and result.failed == 0
