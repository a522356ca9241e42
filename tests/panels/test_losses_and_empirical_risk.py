"""Lecture 09's helpers, figures and panel draw what the library computes."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.special import expit

from course_lib import losses
from course_lib.data import classification_data, load_iris
from course_lib.panels import losses_and_empirical_risk as lecture

finite = st.floats(-50.0, 50.0, allow_nan=False)


def _logistic_risk_by_hand(w, X, y):
    """Mean of log(1 + e^(−yᵢxᵢᵀw)) with numpy's logaddexp (independent of course_lib)."""
    return np.mean(np.logaddexp(0.0, -y * (X @ w)))


def _panel_data(margin, label_noise, seed):
    rng = np.random.default_rng(seed)
    P, y = classification_data(lecture.N_TRAIN, margin, label_noise, rng)
    Pf, yf = classification_data(lecture.N_FRESH, margin, label_noise, rng)
    ones = np.ones((P.shape[0], 1))
    return P, y, np.hstack([ones, P]), np.hstack([np.ones((Pf.shape[0], 1)), Pf]), yf


# --------------------------------------------------------------------------- helpers


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 30), seed=st.integers(0, 1000))
def test_with_intercept_puts_a_column_of_ones_before_the_points(n, seed):
    P = np.random.default_rng(seed).normal(size=(n, 2))
    X = lecture.with_intercept(P)
    assert X.shape == (n, 3)
    np.testing.assert_array_equal(X[:, 0], 1.0)
    np.testing.assert_array_equal(X[:, 1:], P)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 20), batch=st.integers(1, 4))
def test_margins_equal_a_loop_over_points_for_a_batch_of_weights(seed, n, batch):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = rng.choice([-1.0, 1.0], size=n)
    W = rng.normal(size=(batch, 3))
    by_hand = np.array(
        [[y[i] * sum(X[i, j] * w[j] for j in range(3)) for i in range(n)] for w in W]
    )
    np.testing.assert_allclose(lecture.margins(W, X, y), by_hand, rtol=1e-12, atol=1e-12)


def test_margins_refuse_weights_of_the_wrong_length():
    with pytest.raises(ValueError, match="do not match"):
        lecture.margins(np.zeros(2), np.ones((4, 3)), np.ones(4))


@settings(max_examples=50, deadline=None)
@given(z=st.lists(st.floats(-1000.0, 1000.0, allow_nan=False), min_size=1, max_size=30))
def test_surrogate_curves_are_the_textbook_formulas_and_lie_above_zero_one(z):
    z = np.array(z)
    curves = lecture.surrogate_curves(z)
    np.testing.assert_array_equal(curves["zero-one"], (z <= 0).astype(float))
    np.testing.assert_allclose(curves["hinge"], np.maximum(0.0, 1.0 - z), rtol=1e-15)
    np.testing.assert_allclose(
        curves["logistic / log 2"], np.logaddexp(0.0, -z) / np.log(2.0), rtol=1e-12
    )
    np.testing.assert_allclose(curves["square"], (1.0 - z) ** 2, rtol=1e-15)
    for name in ("hinge", "logistic / log 2", "square"):
        assert np.all(curves[name] >= curves["zero-one"])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.0, 5.0))
def test_logistic_smoothness_bounds_the_hessian_and_is_reached_at_zero(seed, scale):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(40), rng.normal(size=(40, 2))])
    y = rng.choice([-1.0, 1.0], size=40)
    L = lecture.logistic_smoothness(X)
    w = scale * rng.normal(size=3)
    s = expit(y * (X @ w))
    hessian = X.T @ ((s * (1 - s))[:, None] * X) / 40  # by hand, scipy's sigmoid
    assert np.linalg.eigvalsh(hessian).max() <= L * (1 + 1e-12)
    at_zero = np.linalg.eigvalsh(X.T @ X / 160).max()  # σ(0)σ(0) = 1/4: the bound is tight
    assert L == pytest.approx(at_zero, rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(w=st.lists(finite, min_size=3, max_size=3), half=st.floats(0.5, 20.0))
def test_boundary_segment_lies_on_the_line_and_is_centred_at_its_closest_point(w, half):
    w = np.array(w)
    segment = lecture.boundary_segment(w, half_length=half)
    w = w / max(np.abs(w).max(), 1e-300)  # the same line, on a scale where 1e-12 means something
    if np.hypot(w[1], w[2]) < 1e-150:  # no line, or one ~1e150 away: nothing to draw
        assert segment.shape == (0, 2)
        return
    assume(abs(w[0]) / np.hypot(w[1], w[2]) < 1e6)  # farther lines lose ±half to rounding
    scale = 1 + np.abs(segment).max()
    np.testing.assert_allclose(w[0] + segment @ w[1:], 0.0, atol=1e-12 * scale)
    assert np.linalg.norm(segment[1] - segment[0]) == pytest.approx(2 * half, rel=1e-9)
    middle = segment.mean(axis=0)  # the point of the line nearest the origin: ⟂ to the line
    direction = segment[1] - segment[0]
    assert abs(middle @ direction) <= 1e-9 * scale * 2 * half


def test_boundary_segment_of_a_constant_score_is_empty_and_bad_shapes_raise():
    assert lecture.boundary_segment(np.array([2.0, 0.0, 0.0])).shape == (0, 2)
    with pytest.raises(ValueError, match="w must be"):
        lecture.boundary_segment(np.zeros(4))
    with pytest.raises(ValueError, match="half_length"):
        lecture.boundary_segment(np.ones(3), half_length=0.0)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(5, 200),
    margin=st.floats(0.0, 1.5),
    noise=st.floats(0.0, 0.5),
    seed=st.integers(0, 10_000),
)
def test_flipped_labels_are_exactly_the_ones_the_generator_flipped(n, margin, noise, seed):
    P, y = classification_data(n, margin, noise, seed)
    clean_P, clean_y = classification_data(n, margin, 0.0, seed)  # same points, no flips
    np.testing.assert_array_equal(P, clean_P)
    flipped = lecture.flipped_labels(P, y)
    np.testing.assert_array_equal(flipped, y != clean_y)
    assert flipped.sum() == round(noise * n)


def test_risk_curves_are_the_risks_of_every_iterate():
    P, y, X, Xf, yf = _panel_data(0.3, 0.1, 5)
    run = losses.logistic_regression(X, y, learning_rate=0.7, max_iter=40)
    curves = lecture.risk_curves(run, X, y, Xf, yf)
    for key, (data_X, data_y) in {"training": (X, y), "fresh sample": (Xf, yf)}.items():
        logistic = [_logistic_risk_by_hand(w, data_X, data_y) for w in run.iterates]
        zero_one = [np.mean(data_y * (data_X @ w) <= 0) for w in run.iterates]
        np.testing.assert_allclose(curves[f"logistic, {key}"], logistic, rtol=1e-12)
        np.testing.assert_allclose(curves[f"zero-one, {key}"], zero_one, rtol=1e-15)


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 300),
    shape=st.sampled_from([(), (1,), (5,), (31,), (32,), (33,), (70,), (4, 9)]),
    d=st.integers(1, 4),
    scale=st.sampled_from([1e-3, 1.0, 30.0, 1e3]),
    ties=st.booleans(),
)
def test_zero_one_and_logistic_risks_equal_empirical_risk_bit_for_bit(
    seed, n, shape, d, scale, ties
):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if ties:  # integer data and weights: margins of exactly 0 (mistakes) occur
        X = np.round(3 * X)
    y = rng.choice([-1.0, 1.0], size=n)
    W = scale * rng.normal(size=(*shape, d))
    if ties:
        W = np.round(W)
    zero_one, logistic = lecture.zero_one_and_logistic_risks(W, X, y)
    expected_01 = losses.empirical_risk(W, X, y, "zero_one")
    expected_log = losses.empirical_risk(W, X, y, "logistic")
    assert zero_one.shape == logistic.shape == shape
    np.testing.assert_array_equal(zero_one, expected_01)
    np.testing.assert_array_equal(logistic, expected_log)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((np.zeros(2), np.ones((4, 3)), np.ones(4)), "W"),
        ((np.zeros(3), np.ones(3), np.ones(3)), "X"),
        ((np.zeros(3), np.ones((2, 4, 3)), np.ones(4)), "X"),
        ((np.zeros(3), np.ones((4, 3)), np.ones(5)), "y"),
        ((np.zeros(3), np.ones((4, 3)), np.array([0.0, 1.0, 1.0, 1.0])), "y"),
        (("w", np.ones((4, 3)), np.ones(4)), "W"),
        ((np.array([np.nan, 0.0, 0.0]), np.ones((4, 3)), np.ones(4)), "W"),
    ],
)
def test_zero_one_and_logistic_risks_refuse_bad_input_by_name(args, name):
    with pytest.raises((ValueError, TypeError), match=name):
        lecture.zero_one_and_logistic_risks(*args)


@pytest.mark.parametrize(("n", "samples"), [(1, 7), (10, 30), (60, 5)])
def test_fresh_empirical_risks_are_the_error_rates_of_consecutive_chunks(n, samples):
    w = np.array([0.2, 1.0, 0.7])
    fresh = lecture.fresh_empirical_risks(w, n, samples, margin=0.2, label_noise=0.1, seed=8)
    P, y = classification_data(n * samples, 0.2, 0.1, 8)
    X = np.hstack([np.ones((n * samples, 1)), P])
    by_hand = [
        np.mean(y[k * n : (k + 1) * n] * (X[k * n : (k + 1) * n] @ w) <= 0) for k in range(samples)
    ]
    np.testing.assert_allclose(fresh, by_hand, rtol=1e-15)
    logistic = lecture.fresh_empirical_risks(
        w, n, samples, margin=0.2, label_noise=0.1, seed=8, loss="logistic"
    )
    assert logistic.shape == (samples,) and np.all(logistic / np.log(2) >= fresh)


def test_fresh_empirical_risks_refuse_an_empty_sample():
    with pytest.raises(ValueError, match="samples"):
        lecture.fresh_empirical_risks(np.ones(3), 5, 0, margin=0.1, label_noise=0.0, seed=0)


def test_training_and_fresh_data_come_from_one_generator_in_turn():
    (P, y), (Pf, yf) = lecture.training_and_fresh_data(0.4, 0.2, 11, n=30, n_fresh=500)
    eP, ey, _, _, _ = _panel_data(0.4, 0.2, 11)
    rng = np.random.default_rng(11)
    np.testing.assert_array_equal(P, classification_data(30, 0.4, 0.2, rng)[0])
    np.testing.assert_array_equal(Pf, classification_data(500, 0.4, 0.2, rng)[0])
    assert Pf.shape == (500, 2) and not np.allclose(P, Pf[:30])
    assert eP.shape == (lecture.N_TRAIN, 2)


# --------------------------------------------------------------------------- figures


def test_classifier_figure_draws_each_boundary_on_its_line():
    P, y = classification_data(30, 0.3, 0.1, 0)
    weights = {"a": np.array([0.5, 1.0, -2.0]), "b": np.array([-1.0, 0.3, 0.4])}
    plot = lecture.classifier_figure(P, y, weights, flipped=lecture.flipped_labels(P, y))
    lines = {line.get_label(): line for line in plot.ax.lines}
    for label, w in weights.items():
        xy = lines[label].get_xydata()
        np.testing.assert_allclose(w[0] + xy @ w[1:], 0.0, atol=1e-9)
    np.testing.assert_array_equal(lines["y = +1"].get_xydata(), P[y > 0])
    assert plot._repr_png_().startswith(b"\x89PNG")


def test_softmax_regions_figure_colours_the_argmax_class():
    iris = load_iris()
    petals = (iris.X[:, 2:4] - iris.X[:, 2:4].mean(0)) / iris.X[:, 2:4].std(0)
    W = np.array([[0.0, 1.0, -1.0], [-3.0, 0.0, 3.0], [-3.0, 0.0, 3.0]])
    plot = lecture.softmax_regions_figure(W, petals, iris.y, iris.target_names, resolution=30)
    assert [line.get_label() for line in plot.ax.lines] == list(iris.target_names)
    assert plot._repr_png_().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "build",
    [
        lambda: lecture.surrogates_figure(
            np.linspace(-2, 2, 5), lecture.surrogate_curves(0.0 * np.ones(5))
        ),
        lambda: lecture.risk_along_line_figure(np.arange(3.0), {"zero-one": np.ones(3)}),
        lambda: lecture.risk_histogram_figure(np.array([0.1, 0.2, 0.2]), 0.18, 0.1, 10),
        lambda: lecture.spread_figure([10, 100], [0.1, 0.03], [0.1, 0.0316]),
        lambda: lecture.curves_figure({"a": np.array([1.0, 0.5, 0.25])}),
        lambda: lecture.separable_figure(
            losses.logistic_regression(np.eye(3), np.ones(3), learning_rate=1.0, max_iter=20)
        ),
    ],
)
def test_figure_builders_render(build):
    assert build()._repr_png_().startswith(b"\x89PNG")


# --------------------------------------------------------------------------- the panel


@pytest.fixture(scope="module")
def panel():
    return lecture.classifier_panel()


def test_panel_draws_the_library_run_for_new_slider_values(panel):
    state = panel.set(margin=0.6, label_noise=0.2, learning_rate=0.5, seed=3)
    P, y, X, Xf, yf = _panel_data(0.6, 0.2, 3)
    run = losses.logistic_regression(X, y, learning_rate=0.5, max_iter=lecture.MAX_STEPS)
    a = panel.artists
    np.testing.assert_array_equal(a["positive"].get_xydata(), P[y > 0])
    np.testing.assert_array_equal(a["negative"].get_xydata(), P[y < 0])
    assert len(a["flipped"].get_xdata()) == round(0.2 * lecture.N_TRAIN)
    w = run.final
    np.testing.assert_allclose(w[0] + a["boundary"].get_xydata() @ w[1:], 0.0, atol=1e-9)
    z = y * (X @ w)
    np.testing.assert_allclose(np.sort(a["right"].get_xdata()), np.sort(z[z > 0]), rtol=1e-12)
    np.testing.assert_allclose(np.sort(a["wrong"].get_xdata()), np.sort(z[z <= 0]), rtol=1e-12)
    steps = int(run.stopped_at) + 1
    training = a["risks"]["logistic, training"].get_ydata()
    np.testing.assert_allclose(
        training[:steps], [_logistic_risk_by_hand(v, X, y) for v in run.iterates], rtol=1e-12
    )
    assert np.all(np.isnan(training[steps:]))
    fresh01 = a["risks"]["zero-one, fresh sample"].get_ydata()[steps - 1]
    assert fresh01 == pytest.approx(np.mean(yf * (Xf @ w) <= 0), rel=1e-15)
    readout = state["readout"]
    assert f"{run.status.item()} after {int(run.stopped_at)} steps" in readout
    assert f"2/L = {2 / lecture.logistic_smoothness(X):.3g}" in readout
    assert f"zero-one {np.mean(z <= 0):.3f}" in readout


def test_panel_learning_rate_move_keeps_the_data_and_retrains(panel):
    panel.set(margin=0.3, label_noise=0.1, learning_rate=1.0, seed=0)
    data = next(iter(panel.artists["cache"].values()))
    slow = panel.set(learning_rate=0.02)
    assert next(iter(panel.artists["cache"].values())) is data
    assert slow["run"].status == "max_iter"
    fast = panel.set(learning_rate=2.0)
    assert fast["run"].status == "converged"
    assert (
        np.linalg.norm(losses.empirical_risk_gradient(fast["run"].final, data[2], data[1])) <= 1e-8
    )


def test_panel_on_separable_data_drives_the_training_risk_to_zero(panel):
    state = panel.set(margin=0.5, label_noise=0.0, learning_rate=3.0, seed=0)
    run, curves = state["run"], state["curves"]
    assert run.status == "max_iter" and curves["zero-one, training"][-1] == 0.0
    norms = np.linalg.norm(run.iterates, axis=-1)
    assert np.all(np.diff(norms) > 0) and curves["logistic, training"][-1] < 0.01
    for where in ("training", "fresh sample"):
        assert np.all(curves[f"logistic, {where}"] / np.log(2) >= curves[f"zero-one, {where}"])


def test_panel_picture_changes_when_a_slider_moves(panel):
    before = panel.set(seed=1) and panel.png
    panel.set(seed=2)
    assert panel.png != before
    assert panel.last_timing["full_redraw"] is False  # only the moving artists were redrawn


@pytest.mark.parametrize(
    ("values", "name"),
    [
        ({"margin": 2.0}, "margin"),
        ({"label_noise": 0.5}, "label_noise"),
        ({"learning_rate": 100.0}, "learning_rate"),
        ({"seed": 21}, "seed"),
        ({"noise": 0.1}, "noise"),
    ],
)
def test_panel_refuses_values_outside_its_sliders(panel, values, name):
    with pytest.raises(ValueError, match=name):
        panel.set(**values)


@pytest.mark.parametrize("name", sorted(lecture.PANELS))
def test_every_listed_panel_builds_without_arguments_and_renders(name):
    built = lecture.PANELS[name]()
    assert built.png.startswith(b"\x89PNG")
    assert built.readout
