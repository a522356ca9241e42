"""Lecture 10's figures and panels draw what the library computes, and agree with references."""

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import networks
from course_lib.panels import neural_networks as lecture


def _grid_fit_by_hand(x, y, m):
    """Independent reference: scipy least squares on the features max(x − tⱼ, 0) and 1."""
    knots = x.min() + (x.max() - x.min()) * np.arange(m) / m
    features = np.column_stack([np.maximum(x[:, None] - knots, 0.0), np.ones_like(x)])
    coef = scipy.linalg.lstsq(features, y)[0]
    return features @ coef, knots, coef


@pytest.mark.parametrize("m", [1, 3, 8, 64])
def test_fit_errors_are_the_rms_residuals_of_a_least_squares_fit_by_hand(m):
    x, y = lecture.smooth_target()
    fitted, _, _ = _grid_fit_by_hand(x, y, m)
    expected = np.sqrt(np.mean((fitted - y) ** 2))
    assert lecture.fit_errors(x, y, [m])[0] == pytest.approx(expected, rel=1e-8, abs=1e-13)


@settings(max_examples=25, deadline=None)
@given(omega=st.floats(0.5, 12.0), phase=st.floats(0.0, 6.3), slope=st.floats(-2.0, 2.0))
def test_grid_fit_error_never_rises_when_units_double_and_obeys_the_interpolation_bound(
    omega, phase, slope
):
    x = np.linspace(-1.0, 1.0, 161)
    y = np.sin(omega * x + phase) + slope * x
    errors = lecture.fit_errors(x, y, lecture.UNITS_GRID)
    assert np.all(np.diff(errors) <= 1e-10 * (1 + errors[:-1]))
    bound = lecture.interpolation_bound(lecture.UNITS_GRID, curvature=omega**2)
    assert np.all(errors <= bound * (1 + 1e-9) + 1e-12)


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 64), omega=st.floats(0.5, 12.0))
def test_interpolation_bound_holds_for_numpys_piecewise_linear_interpolant(m, omega):
    x = np.linspace(-1.0, 1.0, 2001)
    knots = np.linspace(-1.0, 1.0, m + 1)  # spacing h = 2/m
    error = np.max(np.abs(np.interp(x, knots, np.sin(omega * knots)) - np.sin(omega * x)))
    assert error <= lecture.interpolation_bound(m, curvature=omega**2) * (1 + 1e-9)


def test_interpolation_bound_of_the_lecture_target_is_two_pi_squared_over_m_squared():
    m = np.array([1, 5, 64])
    np.testing.assert_allclose(lecture.interpolation_bound(m), 2 * np.pi**2 / m**2, rtol=1e-14)


@pytest.mark.parametrize(("learning_rate", "epochs"), [(0.05, 1), (0.05, 37), (2.0, 3), (2.0, 1)])
def test_first_steps_of_a_long_run_equal_training_for_fewer_epochs(learning_rate, epochs):
    x, y = lecture.training_data()
    long = lecture.train_network(x, y, 8, learning_rate, epochs=40)
    short = lecture.train_network(x, y, 8, learning_rate, epochs=epochs)
    cut = lecture.first_steps(long, epochs * lecture.N_TRAIN // lecture.BATCH_SIZE)
    np.testing.assert_array_equal(cut.iterates, short.iterates)
    np.testing.assert_array_equal(cut.losses, short.losses)
    assert cut.status == short.status and cut.stopped_at == short.stopped_at


def test_elbows_figure_pieces_add_up_to_the_network():
    theta = networks.init_params(5, seed=3)
    x = np.linspace(-1.0, 1.0, 50)
    plot = lecture.elbows_figure(theta, x)
    pieces = [line.get_ydata() for line in plot.ax.lines[:5]]
    total = plot.ax.lines[5].get_ydata()
    w, b, a, c = networks.unpack(theta)
    by_hand = a[:, None] * np.maximum(w[:, None] * x + b[:, None], 0.0)  # aⱼ relu(wⱼx + bⱼ)
    np.testing.assert_allclose(pieces, by_hand, rtol=1e-14)
    np.testing.assert_allclose(total, by_hand.sum(0) + c, rtol=1e-12)


# --------------------------------------------------------------------------- panels


@pytest.fixture(scope="module")
def elbow_panel():
    return lecture.elbows_panel()


@pytest.fixture(scope="module")
def train_panel():
    return lecture.training_panel(epochs=20)


@pytest.mark.parametrize("m", [1, 5, 17, 64, 2])
def test_elbow_panel_shows_one_piece_per_unit_and_their_sum(elbow_panel, m):
    a = elbow_panel.artists
    lines_before = list(elbow_panel.figure.axes[0].lines)
    readout = elbow_panel.set(units=m)
    assert list(elbow_panel.figure.axes[0].lines) == lines_before  # moved, never rebuilt
    x, y = a["x"], a["y"]
    fitted, knots, coef = _grid_fit_by_hand(x, y, m)
    visible = [line for line in a["pieces"] if line.get_visible()]
    assert len(a["pieces"]) == lecture.MAX_UNITS and len(visible) == m
    assert visible == a["pieces"][:m]
    pieces = np.array([line.get_ydata() for line in visible])
    np.testing.assert_allclose(pieces, coef[:-1, None] * np.maximum(x - knots[:, None], 0.0),
                               rtol=1e-6, atol=1e-9)  # fmt: skip
    np.testing.assert_allclose(a["fit"].get_ydata(), fitted, atol=1e-9)
    np.testing.assert_allclose(pieces.sum(0) + coef[-1], a["fit"].get_ydata(), atol=1e-9)
    np.testing.assert_allclose(a["kinks"].get_xdata(), knots, rtol=1e-12, atol=1e-15)
    error = np.sqrt(np.mean((fitted - y) ** 2))
    assert a["marker"].get_ydata()[0] == pytest.approx(error, rel=1e-7, abs=1e-12)
    assert readout.startswith(f"m = {m} hidden units, {3 * m + 1} parameters")


def test_elbow_panel_error_curve_falls_on_doublings_below_the_bound(elbow_panel):
    errors = elbow_panel.artists["errors"]
    doubling = errors[lecture.UNITS_GRID - 1]
    assert np.all(np.diff(doubling) <= 1e-12)
    assert np.all(errors <= lecture.interpolation_bound(np.arange(1, lecture.MAX_UNITS + 1)))
    assert doubling[-1] < 2e-3


@pytest.mark.parametrize(
    ("m", "eta", "epochs"), [(4, 0.05, 20), (12, 0.2, 7), (3, 2.0, 20), (5, 0.6, 30)]
)
def test_training_panel_draws_the_library_run_for_new_slider_values(train_panel, m, eta, epochs):
    readout = train_panel.set(units=m, learning_rate=eta, epochs=epochs)
    a = train_panel.artists
    x, y, grid = a["x"], a["y"], a["grid"]
    run = networks.train(
        x[:, None], y, networks.init_params(m, seed=lecture.INIT_SEED), eta,
        batch_size=lecture.BATCH_SIZE, epochs=epochs, seed=0,
    )  # fmt: skip
    np.testing.assert_allclose(a["sgd"].get_ydata(), networks.forward(run.final, grid), rtol=1e-12)
    np.testing.assert_allclose(a["start"].get_ydata(), networks.forward(run.iterates[0], grid))
    shown = a["losses"].lines[0].get_ydata()
    np.testing.assert_array_equal(shown, np.where(np.isfinite(run.losses), run.losses, np.nan))
    fitted, _, _ = _grid_fit_by_hand(x, y, m)
    assert a["floor"].get_ydata()[0] == pytest.approx(np.mean((fitted - y) ** 2), rel=1e-7)
    assert f"({run.status.item()})" in readout and f"{int(run.stopped_at)} steps" in readout


def test_training_panel_epochs_slider_cuts_the_stored_run_without_retraining(train_panel):
    train_panel.set(units=6, learning_rate=0.1, epochs=50)
    trained, stored = train_panel.artists["cache"][(6, 0.1)]
    assert trained == 50 and stored.losses.size == 50 * 10 + 1  # a new η trains what is shown
    train_panel.set(epochs=5)
    assert train_panel.artists["cache"][(6, 0.1)][1] is stored
    assert train_panel.artists["run"].losses.size == 5 * 10 + 1
    train_panel.set(epochs=60)  # more than stored: one run to the slider's end
    trained, longer = train_panel.artists["cache"][(6, 0.1)]
    assert trained == lecture.MAX_EPOCHS and longer.losses.size == lecture.MAX_EPOCHS * 10 + 1
    np.testing.assert_array_equal(longer.losses[: stored.losses.size], stored.losses)
    for epochs in (lecture.MAX_EPOCHS, 1, 70):
        train_panel.set(epochs=epochs)
        assert train_panel.artists["cache"][(6, 0.1)][1] is longer
        assert train_panel.artists["run"].losses.size == epochs * 10 + 1


def test_dead_units_are_those_closed_on_every_data_point_and_get_zero_gradient():
    x, y = lecture.training_data()
    theta = networks.init_params(6, seed=2, x_range=(1.5, 2.5))  # every kink right of the data
    w, b, _, _ = networks.unpack(theta)
    dead = lecture.dead_units(theta, x)
    np.testing.assert_array_equal(dead, w > 0)  # open only to the right of the kink: never on
    g = networks.mse_gradient(theta, x[:, None], y)
    gw, gb, ga, _ = networks.unpack(g)
    assert np.all(gw[dead] == 0) and np.all(gb[dead] == 0) and np.all(ga[dead] == 0)
    assert np.all(ga[~dead] != 0)


def test_training_panel_reports_a_diverged_run(train_panel):
    assert "(diverged)" in train_panel.set(units=8, learning_rate=2.0, epochs=20)


def test_panels_refuse_slider_values_outside_their_range(elbow_panel, train_panel):
    with pytest.raises(ValueError, match="units"):
        elbow_panel.set(units=65)
    with pytest.raises(TypeError, match="epochs"):
        train_panel.set(epochs=2.5)
    with pytest.raises(ValueError, match="learning_rate"):
        train_panel.set(learning_rate=5.0)


@pytest.mark.parametrize("name", sorted(lecture.PANELS))
def test_every_listed_panel_builds_without_arguments_and_renders(name):
    panel = lecture.PANELS[name]()
    assert panel.png.startswith(b"\x89PNG")
    assert panel.readout
