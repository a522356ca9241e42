"""Lecture 13's figures and panels draw what the library computes, and the bounds hold."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import convergence
from course_lib.descent import gradient_descent
from course_lib.panels import convexity_and_convergence_rates as lecture
from course_lib.stochastic import sgd


@pytest.fixture(scope="module")
def rates():
    return lecture.rates_panel()


@pytest.fixture(scope="module")
def sgd_panel():
    return lecture.sgd_panel()


def gd_by_hand(A, x0, eta, steps):
    xs = [np.asarray(x0, float)]
    for _ in range(steps):
        xs.append(xs[-1] - eta * (A @ xs[-1]))
    return np.array(xs)


# --------------------------------------------------------------------------- problems and curves


def test_spectrum_quadratic_has_l_one_and_mu_one_over_kappa():
    f, x0 = lecture.spectrum_quadratic(250.0)
    lam = np.linalg.eigvalsh(f.A)
    assert lam[-1] == pytest.approx(1.0) and lam[0] == pytest.approx(1 / 250)
    assert np.linalg.norm(x0) == pytest.approx(3.0)


def test_gd_curve_is_the_gap_of_a_by_hand_run():
    out = lecture.rate_curves("gradient descent", 50.0, 0.8, steps=100)
    f, x0 = lecture.spectrum_quadratic(50.0)
    xs = gd_by_hand(f.A, x0, 0.8, 100)
    gap = 0.5 * np.einsum("ti,ij,tj->t", xs, f.A, xs)
    np.testing.assert_allclose(out["measured"], gap, rtol=1e-9, atol=1e-300)
    t = np.arange(101)
    R2 = float(x0 @ x0)
    np.testing.assert_allclose(
        out["bounds"]["convex: L R²/(2t)"], R2 / (2 * 0.8 * np.maximum(t, 1))
    )
    q = (1 - 0.8 / 50) ** t
    np.testing.assert_allclose(out["bounds"]["strongly convex: (1 − μ/L)^t gap₀"], q * gap[0])


@settings(max_examples=20, deadline=None)
@given(
    method=st.sampled_from(lecture.METHODS[:3]),
    kappa=st.floats(1.0, 1e4),
    fraction=st.floats(0.1, 1.0),
)
def test_every_bound_of_the_rates_panel_holds_where_it_is_drawn(method, kappa, fraction):
    out = lecture.rate_curves(method, kappa, fraction, steps=150)
    assert out["valid"]
    scale = out["measured"][0]
    for name, bound in out["bounds"].items():
        assert np.all(out["measured"] <= bound * (1 + 1e-9) + 1e-13 * scale), name


def test_past_eta_l_one_no_bound_is_drawn_although_gd_converges(rates):
    readout = rates.set(method="gradient descent", condition_number=10.0, step_fraction=1.5)
    assert "not valid" in readout or "no bound is drawn" in readout
    assert all(np.all(np.isnan(line.get_ydata())) for line in rates.artists["bounds"])
    assert rates.artists["state"]["run"].status.item() == "max_iter"
    assert rates.artists["state"]["measured"][-1] < 1e-10  # |1 − 1.5λ| < 1: still converges


def test_heavy_ball_guide_falls_at_the_companion_matrix_rate_squared():
    out = lecture.rate_curves("heavy ball", 100.0, 1.0, steps=50)
    f, _ = lecture.spectrum_quadratic(100.0)
    eta, beta = out["learning_rate"], out["momentum"]
    rho = max(
        np.max(np.abs(np.linalg.eigvals(np.array([[1 + beta - eta * lam, -beta], [1.0, 0.0]]))))
        for lam in np.linalg.eigvalsh(f.A)
    )
    guide = out["bounds"]["quadratic theory ρ^(2t) (no guarantee)"]
    np.testing.assert_allclose(guide[1:] / guide[:-1], rho**2, rtol=1e-6)


def test_nesterov_curves_use_the_gradient_step_points():
    out = lecture.rate_curves("Nesterov (convex)", 1e3, 1.0, steps=80)
    f, _ = lecture.spectrum_quadratic(1e3)
    points = convergence.gradient_step_points(f, out["run"], 1.0)
    np.testing.assert_allclose(out["measured"], f.value(points), rtol=1e-12)


def test_worst_ratio_ignores_the_start_and_exact_zeros():
    assert lecture.worst_ratio([5.0, 1.0, 0.0], [1.0, 2.0, 0.0]) == 0.5


# --------------------------------------------------------------------------- the rates panel


def test_rates_panel_draws_the_curves_it_computes_and_blits(rates):
    for method in lecture.METHODS:
        rates.set(method=method, condition_number=100.0, step_fraction=1.0)
        draws = rates.background_draws  # a new method rewrites the still text: one full draw
        rates.set(condition_number=200.0)
        readout = rates.set(condition_number=300.0, step_fraction=0.9)
        assert rates.background_draws == draws  # κ and ηL move only the moving artists
        out = lecture.rate_curves(method, 300.0, 0.9)
        drawn = rates.artists["measured"].get_ydata()
        expected = np.where(out["measured"] > lecture.FLOOR, out["measured"], np.nan)
        np.testing.assert_allclose(drawn, expected, rtol=1e-12)
        first = rates.artists["bounds"][0].get_ydata()
        bound = list(out["bounds"].values())[0]
        np.testing.assert_allclose(
            first, np.where(bound > lecture.FLOOR, bound, np.nan), rtol=1e-12
        )
        assert method in rates.artists["names"].get_text()
        if method != "heavy ball":
            assert "bound holds" in readout


def test_sgd_curves_average_the_seeded_runs_and_stay_under_the_recursion():
    out = lecture.sgd_curves("inverse_time", 1.0, 300.0, seeds=(0, 1, 2))
    X, y, (L, mu, Lmax, noise, w_star) = lecture.sgd_problem()
    runs = sgd(
        X,
        y,
        np.zeros(5),
        0.5 / Lmax,
        batch_size=1,
        epochs=lecture.SGD_EPOCHS,
        schedule="inverse_time",
        schedule_kw={"decay_time": 300.0},
        replace=True,
        seed=[0, 1, 2],
        record="step",
        tol=0.0,
    )
    d2 = np.sum((runs.iterates - w_star) ** 2, axis=-1)
    np.testing.assert_allclose(out["measured"], d2.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(out["one_run"], d2[0], rtol=1e-12)
    assert set(out["bounds"]) == {"recursion (any schedule)", "C/(t + t₀)"}
    assert np.all(
        out["bounds"]["recursion (any schedule)"] <= out["bounds"]["C/(t + t₀)"] * (1 + 1e-12)
    )


@settings(max_examples=25, deadline=None)
@given(
    schedule=st.sampled_from([v for _, v in lecture.SGD_SCHEDULES]),
    fraction=st.floats(*lecture.SGD_STEP_RANGE),
    decay=st.floats(*lecture.DECAY_RANGE),
    seeds=st.lists(st.integers(0, 2**32), min_size=1, max_size=4),
)
def test_sgd_curves_fast_runs_are_bit_equal_to_the_library_sgd(schedule, fraction, decay, seeds):
    # the panel's runs skip sgd()'s checks and judging, not one floating-point operation
    out = lecture.sgd_curves(schedule, fraction, decay, seeds=seeds)
    X, y, (L, mu, Lmax, noise, w_star) = lecture.sgd_problem()
    kw = {"decay_time": decay} if schedule == "inverse_time" else None
    runs = sgd(
        X,
        y,
        np.zeros(5),
        fraction * 0.5 / Lmax,
        batch_size=1,
        epochs=lecture.SGD_EPOCHS,
        schedule=schedule,
        schedule_kw=kw,
        replace=True,
        seed=seeds,
        record="step",
        tol=0.0,
    )
    assert np.all(runs.status == "max_iter")  # nothing for the judging to stop
    fast = lecture._sgd_iterates(tuple(seeds), out["learning_rates"], np.zeros(5))
    np.testing.assert_array_equal(fast, runs.iterates)
    d2 = np.sum((runs.iterates - w_star) ** 2, axis=-1)
    np.testing.assert_array_equal(out["measured"], d2.mean(axis=0))
    np.testing.assert_array_equal(out["one_run"], d2[0])


@pytest.mark.parametrize(
    ("seeds", "error"),
    [
        (3, TypeError),
        ("012", TypeError),
        ((), ValueError),
        ((0, 1.5), TypeError),
        ([True], TypeError),
    ],
)
def test_sgd_curves_refuse_bad_seeds(seeds, error):
    with pytest.raises(error, match="seeds"):
        lecture.sgd_curves("constant", 1.0, 10.0, seeds=seeds)


def test_sgd_panel_hides_the_closed_form_when_its_assumption_fails(sgd_panel):
    readout = sgd_panel.set(schedule="inverse_time", step_fraction=0.5, decay_time=10.0)
    assert "no O(1/t) guarantee" in readout
    assert np.all(np.isnan(sgd_panel.artists["closed_form"].get_ydata()))
    readout = sgd_panel.set(schedule="constant", step_fraction=1.0)
    assert "noise floor" in readout
    floor = sgd_panel.artists["recursion"].get_ydata()[-1]
    L, mu, Lmax, noise, _ = sgd_panel.artists["state"]["constants"]
    assert floor == pytest.approx(2 * (0.5 / Lmax) * noise / mu, rel=1e-3)  # levelled off
    readout = sgd_panel.set(schedule="inverse_time", step_fraction=1.0, decay_time=300.0)
    assert "O(1/t)" in readout
    assert float(readout.rsplit("= ", 1)[1]) <= 1.0


def test_sgd_curves_refuse_a_step_past_the_theorem():
    with pytest.raises(ValueError, match="step_fraction"):
        lecture.sgd_curves("constant", 1.5, 10.0)


# --------------------------------------------------------------------------- static figures


def test_convex_set_figure_marks_a_point_outside_the_crescent():
    check = convergence.set_convexity_check(lecture.crescent_set, -1.6, 1.6, 2, seed=0)
    assert not check.convex
    mid = check.theta * check.x + (1 - check.theta) * check.y
    assert lecture.crescent_set(check.x) and not lecture.crescent_set(mid)
    plot = lecture.convex_set_figure()
    assert len(plot.ax) == 2


def test_chord_and_sandwich_figures():
    lecture.chord_figure()
    assert convergence.convexity_check(lambda p: lecture.softplus_bowl(p[..., 0]), -3, 3, 1).convex
    assert not convergence.convexity_check(
        lambda p: lecture.double_well(p[..., 0]), -3, 3, 1
    ).convex
    f, _ = lecture.spectrum_quadratic(10.0)
    plot = lecture.sandwich_figure(f, np.ones(lecture.DIM), np.arange(lecture.DIM), 1.0, 0.1)
    v = plot.values
    assert np.all(v["μ-quadratic (below)"] <= v["f(x + s u)"] + 1e-12)
    assert np.all(v["f(x + s u)"] <= v["L-quadratic (above)"] + 1e-12)


@pytest.mark.parametrize("name", sorted(lecture.PANELS))
def test_every_listed_panel_builds_without_arguments_and_renders(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        panel = lecture.PANELS[name]()
    assert panel.png.startswith(b"\x89PNG") and panel.readout


def test_gd_reference_is_the_library_run():
    f, x0 = lecture.spectrum_quadratic(20.0)
    run = gradient_descent(f, x0, 0.5, max_iter=30, tol=0.0)
    np.testing.assert_allclose(run.iterates, gd_by_hand(f.A, x0, 0.5, 30), rtol=1e-10)


def test_sgd_convex_curves_score_the_average_of_each_horizons_own_run():
    out = lecture.sgd_convex_curves((5, 40), seeds=(3, 4))
    X, y, (L, mu, Lmax, noise, w_star) = lecture.convex_sgd_problem()
    assert mu == 0.0
    for T, gamma, measured in zip((5, 40), out["learning_rates"], out["measured"], strict=True):
        assert gamma == pytest.approx(np.sqrt(5) / (4 * Lmax) / np.sqrt(T))
        runs = sgd(
            X,
            y,
            np.zeros(6),
            gamma,
            batch_size=1,
            epochs=1,
            replace=True,
            seed=[3, 4],
            record="step",
            tol=0.0,
        )
        avg = runs.iterates[:, :T].mean(axis=1)
        r = avg @ X.T - y
        r_star = X @ w_star - y
        gap = 0.5 * np.mean(r**2, axis=1) - 0.5 * np.mean(r_star**2)
        assert measured == pytest.approx(gap.mean(), rel=1e-9)
    assert np.all(out["measured"] <= out["bound"])
