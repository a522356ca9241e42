"""The model answers of the hand-graded tasks are right: every number they state is recomputed.

A hand-grader follows the model answer in ``solutions/NN_*.ipynb`` (the markdown cell with
``grade: true``); a wrong number there marks correct students wrong. Each model answer is listed
in ``CLAIMS`` with the quoted phrases that carry a number and a function that recomputes them
with NumPy (or the library cost model the task tells the student to use). Two tests keep the
list honest:

- every quoted phrase still appears word for word in the model answer, and its recomputation
  agrees with the number the phrase states;
- every number a model answer states approximately (a decimal, a power of ten, or a number after
  "about" / ``\\approx``) is inside one of the quoted phrases, so a new numeric claim cannot be
  added to a key without a recomputation here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
EPS = np.finfo(float).eps


def _model_answers():
    answers = {}
    for path in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if cell["cell_type"] == "markdown" and meta.get("grade") and meta.get("solution"):
                answers[(path.stem[:2], meta["grade_id"])] = "".join(cell["source"])
    return answers


ANSWERS = _model_answers()


def _close(stated, computed, rtol):
    assert np.isclose(stated, computed, rtol=rtol, atol=0), (
        f"the key says {stated}, it is {computed}"
    )


def _steps_per_factor_e(rate):
    """t with rate**t = 1/e."""
    return -1.0 / np.log(rate)


# -- the recomputations, one per model answer -------------------------------------------------


def _claims_01():
    from course_lib.closed_form import iterative_cost, solve_cost

    n, d = 10**6, 10**4
    # the cost formulas the answer quotes are the library's cost model the task points to (the
    # model also counts the 2nd flops of Xᵀy, which "about" leaves out: 1% for d ≥ 200)
    for n_, d_ in [(1_000, 200), (n, d), (50, 3000)]:
        _close(n_ * d_**2 + d_**3 / 3, solve_cost(n_, d_), 0.01)
        _close(100 * 4 * n_ * d_, iterative_cost(n_, d_, 100), 1e-12)
    _close(1e14, solve_cost(n, d), 0.01)
    _close(4e12, iterative_cost(n, d, 100), 1e-12)
    # "cheaper as soon as d ≳ 400": where a hundred steps become cheaper than the solve
    ds = np.arange(1, 2000)
    crossover = ds[np.argmax(iterative_cost(n, ds, 100) < solve_cost(n, ds))]
    _close(400, crossover, 0.01)


def _claims_02():
    # centered difference of sin at x = 1: truncation error h²/6 |f'''| in the truncation regime
    x, h = 1.0, 1e-3
    error = (np.sin(x + h) - np.sin(x - h)) / (2 * h) - np.cos(x)
    _close(h**2 / 6 * np.cos(x), abs(error), 1e-3)
    # the best h is of the order ε^(1/3), with an error of the order ε^(2/3): the error curve
    # averaged over 200 points x (one point alone has lucky cancellations)
    xs = np.random.default_rng(2).uniform(0.5, 2.0, size=(200, 1))
    hs = np.logspace(-10, -1, 181)
    errors = np.abs((np.sin(xs + hs) - np.sin(xs - hs)) / (2 * hs) - np.cos(xs)).mean(axis=0)
    assert 0.2 < hs[np.argmin(errors)] / EPS ** (1 / 3) < 5
    assert 0.03 < errors.min() / EPS ** (2 / 3) < 3
    _close(6e-6, EPS ** (1 / 3), 0.02)  # the ≈ 6·10⁻⁶ of the question
    _close(1.5e-8, EPS**0.5, 0.01)
    # the experiment of Task 3 for exp at x = 1, on the task's 151 steps
    steps = np.logspace(-16, -1, 151)
    keep = steps >= 1e-3
    found = {}
    for scheme, approx in [
        ("forward", (np.exp(1 + steps) - np.e) / steps),
        ("centered", (np.exp(1 + steps) - np.exp(1 - steps)) / (2 * steps)),
    ]:
        errors = np.abs(approx - np.e)
        slope = np.polyfit(np.log10(steps[keep]), np.log10(errors[keep]), 1)[0]
        found[scheme] = (steps[np.argmin(errors)], errors.min(), slope)
    _close(1e-8, found["forward"][0], 1e-9)
    _close(7e-9, found["forward"][1], 0.1)
    _close(1, found["forward"][2], 0.02)
    _close(8e-6, found["centered"][0], 0.02)
    _close(3e-12, found["centered"][1], 0.1)
    _close(2, found["centered"][2], 0.02)


def _claims_03():
    gradient = np.diag([1.0, 10.0]) @ np.array([2.0, 1.0])  # ∇ ½(x₀² + 10x₁²) at (2, 1)
    np.testing.assert_array_equal(gradient, [2.0, 10.0])
    # the measurement of Task 5: the best of 3600 unit directions for a step of length r
    x, minus_g = np.array([2.0, 1.0]), -gradient / np.linalg.norm(gradient)
    theta = 2 * np.pi * np.arange(3600) / 3600
    U = np.column_stack([np.cos(theta), np.sin(theta)])

    def angle(r):
        P = x + r * U
        u = U[np.argmin(0.5 * (P[:, 0] ** 2 + 10 * P[:, 1] ** 2))]
        return np.degrees(np.arccos(np.clip(u @ minus_g, -1, 1))), u

    assert angle(0.001)[0] <= 0.1
    angles = [angle(r)[0] for r in [0.001, 0.01, 0.1, 0.5, 1, 2, np.sqrt(5)]]
    assert angles == sorted(angles)  # "the angle grows with r"
    np.testing.assert_allclose(
        angle(np.sqrt(5))[1], -x / np.linalg.norm(x), atol=1e-3
    )  # at the minimum
    _close(52, angles[-1], 0.01)
    _close(52, np.degrees(np.arccos(-x / np.linalg.norm(x) @ minus_g)), 0.01)


def _claims_04():
    lam = np.array([1.0, 100.0])
    _close(0.02, 2 / lam.max(), 1e-12)
    _close(0.98, 1 - 0.99 * 2 / lam.max() * lam.min(), 1e-3)  # just below the limit
    _close(50, _steps_per_factor_e(0.98), 0.02)  # about 1/0.02
    _close(50, 1 / 0.02, 1e-12)
    kappa = lam.max() / lam.min()
    best = 2 / lam.sum()
    _close(2 / 101, best, 1e-12)
    rates = np.abs(1 - best * lam)
    np.testing.assert_allclose(rates, 99 / 101, rtol=1e-12)  # the same on both axes
    _close(0.980, 99 / 101, 1e-3)
    _close(50, _steps_per_factor_e(99 / 101), 0.02)
    _close(kappa / 2, _steps_per_factor_e((kappa - 1) / (kappa + 1)), 0.02)  # κ/2
    # measured: gradient descent with the best step on the quadratic shrinks the x₀ error by e
    # in about κ/2 steps
    x0 = np.array([1.0, 1.0])
    errors = np.abs((1 - best * lam[None, :]) ** np.arange(200)[:, None] * x0)[:, 0]
    assert np.argmax(errors < np.exp(-1)) == pytest.approx(kappa / 2, abs=1)


def _claims_05():
    # the experiment of Task 5 on the demo's data: B = 4, 30 epochs, seed 1 (epoch e: seed 1 + e)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.5 * rng.standard_normal(200)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]

    def gaps(etas):
        w, out, k = np.zeros(3), [], 0
        for epoch in range(30):
            for rows in np.random.default_rng(1 + epoch).permutation(200).reshape(-1, 4):
                w = w - etas[k] * X[rows].T @ (X[rows] @ w - y[rows]) / 4
                k += 1
            out.append(0.5 * np.mean((X @ w - y) ** 2) - 0.5 * np.mean((X @ w_star - y) ** 2))
        return np.array(out)

    steps = 30 * 50
    constant, decaying = gaps(np.full(steps, 0.1)), gaps(0.1 / (1 + np.arange(steps) / 50))
    assert 0.2 < constant[20:].mean() / constant[3:10].mean() < 5  # "stops improving": a floor
    assert (
        decaying[-1] < constant[20:].min() and decaying[-1] < decaying[10]
    )  # below it, still falling


def _claims_06():
    kappa = 100
    _close(0.980, (kappa - 1) / (kappa + 1), 1e-3)
    _close(0.0198, 1 - 99 / 101, 1e-3)
    _close(50, _steps_per_factor_e(99 / 101), 0.02)
    _close(0.818, (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), 1e-3)
    _close(5, _steps_per_factor_e(9 / 11), 0.01)
    ratio = _steps_per_factor_e(99 / 101) / _steps_per_factor_e(9 / 11)
    _close(np.sqrt(kappa), ratio, 0.02)  # the gain is a factor of about √κ


def _claims_07():
    def gradient(p):
        return np.array([2 * p[0], -2 * p[1]])  # f(x, y) = x² − y²

    H = np.diag([2.0, -2.0])
    start = np.array([1.0, 0.5])
    g = gradient(start)
    newton_step = np.linalg.solve(H, -g)
    np.testing.assert_allclose(start + newton_step, [0.0, 0.0], atol=1e-15)  # onto the saddle
    _close(-1.5, g @ newton_step, 1e-12)  # a descent direction all the same
    lam, Q = np.linalg.eigh(H)
    saddle_free = -Q @ ((Q.T @ g) / np.abs(lam))
    np.testing.assert_allclose(saddle_free, [-1.0, 0.5], atol=1e-15)
    np.testing.assert_allclose(start + saddle_free, [0.0, 1.0], atol=1e-15)
    _close(-1.0, 0.0**2 - 1.0**2, 0)
    _close(0.75, start[0] ** 2 - start[1] ** 2, 1e-12)
    _close(2, -lam.min(), 1e-12)  # μ > −λmin = 2
    for mu in [2.5, 5.0]:  # then every eigen-component of the step goes downhill
        step = np.linalg.solve(H + mu * np.eye(2), -g)
        assert np.all(step * g < 0)
        assert abs((start + step)[1]) > abs(start[1])  # away from the saddle along y
    # halving the step still walks into the saddle: y → y/2 each step, to 0
    p = start.copy()
    for _ in range(60):
        p = p + 0.5 * np.linalg.solve(H, -gradient(p))
    np.testing.assert_allclose(p, [0.0, 0.0], atol=1e-15)
    # gradient descent: the y error grows like (1 + 2η)^t
    eta, p = 0.1, start.copy()
    for _ in range(30):
        p = p - eta * gradient(p)
    _close(0.5 * (1 + 2 * eta) ** 30, p[1], 1e-12)


def _claims_08():
    # min ‖Ax − b‖² subject to ‖x‖² ≤ r², with the unconstrained answer outside the ball
    rng = np.random.default_rng(8)
    A = rng.normal(size=(20, 3))
    b = A @ np.array([2.0, -1.0, 1.5]) + 0.1 * rng.normal(size=20)

    def solve(r):
        """x(λ) = (AᵀA + λI)⁻¹Aᵀb with ‖x(λ)‖ = r, by bisection on λ (‖x(λ)‖ falls with λ)."""
        lo, hi = 0.0, 1e6
        for _ in range(200):
            lam = (lo + hi) / 2
            x = np.linalg.solve(A.T @ A + lam * np.eye(3), A.T @ b)
            lo, hi = (lam, hi) if np.linalg.norm(x) > r else (lo, lam)
        return x, lam  # the λ of ∇f + 2λx = 0 is this λ (∇f = 2Aᵀ(Ax − b))

    r = 1.0
    x, lam = solve(r)
    grad = 2 * A.T @ (A @ x - b)
    np.testing.assert_allclose(grad, -2 * lam * x, rtol=1e-8)  # stationarity, λ > 0
    assert lam > 0
    _close(2 * lam * r, np.linalg.norm(grad), 1e-8)
    # the projected gradient step returns to x*
    y = x - 0.01 * grad
    np.testing.assert_allclose(y * r / np.linalg.norm(y), x, rtol=1e-8)

    # d f*/d(r²) = −λ*
    def f_star(r):
        x, _ = solve(r)
        return np.sum((A @ x - b) ** 2)

    delta = 1e-4
    slope = (f_star(np.sqrt(r**2 + delta)) - f_star(np.sqrt(r**2 - delta))) / (2 * delta)
    _close(-lam, slope, 1e-5)
    # λ* = 0 when the unconstrained solution is inside the ball
    big = 2 * np.linalg.norm(np.linalg.lstsq(A, b, rcond=None)[0])
    assert np.linalg.norm(np.linalg.solve(A.T @ A, A.T @ b)) < big


def _claims_09():
    # separable data: ‖w_t‖ of gradient descent on the logistic risk grows like log t
    rng = np.random.default_rng(9)
    X = rng.normal(size=(40, 2))
    y = np.sign(X @ np.array([1.0, -2.0]))
    X = X + 0.3 * y[:, None] * np.array([1.0, -2.0]) / np.sqrt(5)  # a clear margin
    w, norms = np.zeros(2), {}
    for t in range(1, 100_001):
        z = y * (X @ w)
        w = w + 1.0 * (X.T @ (y / (1 + np.exp(z)))) / len(y)
        if t in (1_000, 10_000, 100_000):
            norms[t] = np.linalg.norm(w)
    first, second = norms[10_000] - norms[1_000], norms[100_000] - norms[10_000]
    assert 0.5 < second / first < 2, norms  # equal increments per factor 10 in t: logarithmic


def _claims_09b():
    """The experiment of Task 5 in the words of the key (run by `_claims_09`)."""
    from course_lib.data import classification_data

    results = {}
    for name, kw in [
        ("separable", dict(margin=0.5, seed=0)),
        ("overlapping", dict(margin=0.0, label_noise=0.1, seed=0)),
    ]:
        points, y = classification_data(100, **kw)
        X = np.column_stack([np.ones(100), points])
        w, norms, mistakes = np.zeros(3), {}, {}
        for t in range(1, 10_001):
            w = w + X.T @ (y * np.exp(-np.logaddexp(0.0, y * (X @ w)))) / 100
            if t in (10, 100, 1000, 9999, 10_000):
                norms[t], mistakes[t] = np.linalg.norm(w), int(np.sum(y * (X @ w) <= 0))
        results[name] = norms, mistakes
    norms, mistakes = results["separable"]
    assert all(m == 0 for m in mistakes.values())  # "drop to 0 at once"
    per_decade = np.diff([norms[10], norms[100], norms[1000], norms[10_000]])
    assert (
        np.all(per_decade > 0) and per_decade.max() < 2 * per_decade.min()
    )  # ~ the same per factor 10
    norms, mistakes = results["overlapping"]
    assert abs(norms[10_000] - norms[9999]) < 1e-9  # settles
    assert abs(mistakes[10_000] - 10) <= 2  # about the number of flipped labels (10 % of 100)


def _claims_11():
    from course_lib.gradient_free import nelder_mead
    from course_lib.objectives import quadratic

    used = []
    for d in [2, 4, 8, 16]:  # the demo of the exercise, which the question refers to
        q = quadratic(np.linspace(1.0, 10.0, d))
        run = nelder_mead(
            q, np.ones(d), xatol=1e-6, fatol=1e-10, max_iter=10**5, max_evaluations=10**5
        )
        used.append(run.total_evaluations)
    for stated, measured in zip([1e2, 3e2, 1.3e3, 1e4], used, strict=True):
        _close(stated, measured, 0.25)
    ratios = np.array(used[1:]) / np.array(used[:-1])
    assert 2.5 < ratios.min() and ratios.max() < 8.5, ratios  # "by 3 to 8"


def _reddi_cycle(beta2, C, periods=100):
    """The second moments (v₁, v₂, v₃) of Adam (β₁ = 0) after the gradients C, −1, −1 repeat."""
    v, cycle = 0.0, []
    for t in range(1, 3 * periods + 1):  # t = 1, 4, 7, ...: the gradient C
        v = beta2 * v + (1 - beta2) * (C if t % 3 == 1 else -1.0) ** 2
        cycle.append(v)
    return np.array(cycle[-3:])


def _claims_12():
    from course_lib.adaptive import online_descent, reddi_gradient
    from course_lib.panels.adaptive_methods import reddi_threshold

    C, beta2 = 3.0, 0.1  # the demo's setting
    v1, v2, v3 = _reddi_cycle(beta2, C)
    _close(1.05, C / np.sqrt(v1), 0.01)  # the big step, damped
    _close(1.7, v2, 0.02)
    _close(1.1, v3, 0.03)
    _close(0.76, 1 / np.sqrt(v2), 0.005)
    _close(0.97, 1 / np.sqrt(v3), 0.005)
    _close(1.73, 1 / np.sqrt(v2) + 1 / np.sqrt(v3), 0.005)
    assert 1 / np.sqrt(v2) + 1 / np.sqrt(v3) > C / np.sqrt(v1)  # up outweighs down
    # AMSGrad: the running maximum is v₁ at all three steps, the drift (C − 2)/√v₁ is positive
    v_hat = np.maximum.accumulate(np.tile(_reddi_cycle(beta2, C), 5))[-3:]
    np.testing.assert_array_equal(v_hat, v1)
    assert (C - 2) / np.sqrt(v1) > 0
    # the runs of the demo: Adam ends at the worst point +1, AMSGrad at the optimum −1
    ends = [
        float(
            online_descent(
                reddi_gradient,
                [0.0],
                0.5,
                3000,
                "adam",
                betas=(0.0, beta2),
                amsgrad=ams,
                bounds=(-1, 1),
            ).final[0]
        )
        for ams in (False, True)
    ]
    assert ends[0] > 0.99 and ends[1] < -0.98, ends

    # the switch: the β₂ where C/√v₁ − 1/√v₂ − 1/√v₃ changes sign, by bisection on the cycle
    def drift(b):
        w1, w2, w3 = _reddi_cycle(b, C)
        return C / np.sqrt(w1) - 1 / np.sqrt(w2) - 1 / np.sqrt(w3)

    low, high = 0.0, 0.99
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (mid, high) if drift(mid) < 0 else (low, mid)
    _close(0.47, low, 0.01)
    _close(reddi_threshold(C), low, 1e-6)  # what lecture 12 measured


def _claims_13():
    def bound(gammas, mu, sigma_sq, r0):
        """The recursion of Task 5, r ← (1 − γ_t μ) r + 2γ_t²σ², for K configurations at once."""
        r = [np.broadcast_to(np.asarray(r0, dtype=float), np.shape(gammas)[1:])]
        for gamma in gammas:
            r.append((1 - gamma * mu) * r[-1] + 2 * gamma**2 * sigma_sq)
        return np.array(r)

    # a constant step settles where the contraction balances the noise: r = 2γσ²/μ
    gamma, mu, sigma_sq = (
        np.array([0.01, 0.05, 0.002]),
        np.array([0.5, 0.2, 1.0]),
        np.array([3.0, 1.0, 10.0]),
    )
    r = bound(np.tile(gamma, (20_000, 1)), mu, sigma_sq, 10.0)
    np.testing.assert_allclose(r[-1], 2 * gamma * sigma_sq / mu, rtol=1e-9)
    # σ² = 0 (the full gradient): it contracts all the way, (1 − γμ)^t
    r = bound(np.full(2000, 0.05), 0.2, 0.0, 10.0)
    np.testing.assert_allclose(r, 10.0 * 0.99 ** np.arange(2001), rtol=1e-12)
    # γ_t = c/(t + a): with cμ > 1 the error is O(1/t) (t·r_t levels off), with cμ < 1 it is not
    t = np.arange(200_000)
    mu, sigma_sq, a = 0.5, 1.0, 40.0
    c = np.array([4.0, 1.0])  # cμ = 2 and cμ = 0.5
    r = bound(c / (t[:, None] + a), mu, sigma_sq, 4.0)
    scaled = r[[20_000, 200_000]] * (np.array([20_000, 200_000])[:, None] + a)
    assert scaled[1, 0] < 1.1 * scaled[0, 0]  # cμ > 1: t·r_t bounded
    assert scaled[1, 1] > 2 * scaled[0, 1]  # cμ < 1: slower than 1/t
    # the price: early on the decaying step is behind the constant step γ = c/a it starts at
    decaying = bound(4.0 / (t[:200] + a), mu, sigma_sq, 4.0)
    constant = bound(np.full(200, 4.0 / a), mu, sigma_sq, 4.0)
    assert np.all(decaying[2:30] > constant[2:30])  # the same first step, then behind


def _claims_14():
    from course_lib import autodiff as ad
    from course_lib import derivatives
    from course_lib.panels.derivatives_and_finite_differences import EvaluationCounter

    # centered differences: 2d evaluations, relative error about 1e-10 (the logistic loss of
    # Task 4 on three data sets, against the closed-form gradient)
    rng = np.random.default_rng(1403)
    for n, d in [(50, 5), (200, 20), (100, 100)]:
        X = rng.normal(size=(n, d))
        y = np.where(rng.uniform(size=n) < 0.5, -1.0, 1.0)
        w = rng.normal(size=d)
        loss = EvaluationCounter(
            lambda W, X=X, y=y: np.mean(np.logaddexp(0.0, -y * (W @ X.T)), axis=-1), rowwise=True
        )
        exact = -(X.T @ (y / (1.0 + np.exp(y * (X @ w))))) / n
        error = np.abs(derivatives.gradient(loss, w) - exact).max() / np.abs(exact).max()
        assert loss.points == 2 * d
        assert 1e-11 < error < 1e-9, error  # "about 1e-10": within a factor 10
    # the backward rule of C = AB: Ā = Ḡ Bᵀ and B̄ = Aᵀ Ḡ (what the engine computes), each a
    # product with the 2nkm flops of the forward product
    n, k, m = 6, 5, 4
    A, B, G = rng.normal(size=(n, k)), rng.normal(size=(k, m)), rng.normal(size=(n, m))
    np.testing.assert_allclose(ad.grad(lambda A_: ad.sum(G * (A_ @ B)))(A), G @ B.T, rtol=1e-12)
    np.testing.assert_allclose(ad.grad(lambda B_: ad.sum(G * (A @ B_)))(B), A.T @ G, rtol=1e-12)
    flops = {"forward": 2 * n * k * m, "G Bᵀ": 2 * n * m * k, "Aᵀ G": 2 * k * n * m}
    _close(3, sum(flops.values()) / flops["forward"], 1e-12)


# (exercise, grade_id of the model answer): (the quoted phrases that carry a number, recompute)
CLAIMS = {
    ("01", "answer_cost"): (
        [
            "$n d^2 + d^3/3$",
            "about $4 n d$",
            "$400\\, n d$",
            "$d \\gtrsim 400$",
            "$n = 10^6$, $d = 10^4$",
            "about $10^{14}$",
            "$4 \\cdot 10^{12}$",
        ],
        _claims_01,
    ),
    ("02", "answer_step"): (
        [
            "$\\frac{h^2}{6}|f'''(x)|$",
            "$h \\propto \\varepsilon^{1/3}$",
            "$\\varepsilon^{2/3}$",
            "$\\frac h2|f''(x)|$",
            "$h \\propto \\varepsilon^{1/2}$",
            "best\n$h = 10^{-8}$ (near $\\varepsilon^{1/2} \\approx 1.5 \\cdot 10^{-8}$) "
            "with an error of about $7 \\cdot 10^{-9}$ and\nslope $1$",
            "best $h \\approx 8 \\cdot 10^{-6}$ (near $\\varepsilon^{1/3}$) "
            "with an error of about\n"
            "$3 \\cdot 10^{-12}$ and slope $2$",
        ],
        _claims_02,
    ),
    ("03", "answer"): (
        [
            "the gradient is $(2, 10)$",
            "for $r = 0.001$ the best direction is $-\\nabla f$ to the grid's\n$0.1°$",
            "about $52°$ away",
        ],
        _claims_03,
    ),
    ("04", "answer"): (
        [
            "$\\eta < 2/100 = 0.02$",
            "about $0.98$",
            "$0.98^t = e^{t \\ln 0.98} \\approx e^{-0.02\\, t}$",
            "about $1/0.02 = 50$ steps",
            "$2/(\\lambda_{\\min}+\\lambda_{\\max}) = 2/101$",
            "$(\\kappa - 1)/(\\kappa + 1) = 99/101 \\approx 0.980$",
            "again about $50$ steps",
            "$(\\kappa - 1)/(\\kappa + 1) \\approx 1 - 2/\\kappa$",
            "$\\kappa/2$ steps per factor $e$",
        ],
        _claims_04,
    ),
    ("05", "answer"): (["the constant step stops improving after a few epochs"], _claims_05),
    ("06", "answer"): (
        [
            "$(\\kappa-1)/(\\kappa+1) = 99/101 \\approx 0.980$",
            "about $1/0.0198 \\approx 50$ steps",
            "$(\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1) = 9/11 \\approx 0.818$",
            "about $5$ steps",
            "a factor of about $\\sqrt\\kappa$",
        ],
        _claims_06,
    ),
    ("07", "answer"): (
        [
            "from $(1, 0.5)$",
            "$(1 + 2\\eta)^t$",
            "it is $(-1, 0.5)$ and lands at $(0, 1)$",
            "$f = -1 < 0.75$",
            "$\\mu > -\\lambda_{\\min} = 2$",
            "$g^\\top s_{\\text{N}} = -g^\\top H^{-1} g = -1.5 < 0$",
            "halving the step",
        ],
        _claims_07,
    ),
    ("08", "answer"): (
        [
            "$\\nabla f(x^\\star) = -2\\lambda^\\star x^\\star$",
            "$\\lVert \\nabla f(x^\\star) \\rVert = 2\\lambda^\\star r$",
            "$\\mathrm d f^\\star / \\mathrm d(r^2) = -\\lambda^\\star$",
        ],
        _claims_08,
    ),
    ("09", "answer"): (
        ["only\nlogarithmically in $t$", "the mistakes drop to $0$ at once"],
        lambda: (_claims_09(), _claims_09b()),
    ),
    ("10", "answer"): ([], None),
    ("11", "answer"): (
        [
            "about $10^2$ for $d = 2$, $3 \\cdot 10^2$ for $d = 4$,\n"
            "$1.3 \\cdot 10^3$ for $d = 8$ and $10^4$ for $d = 16$",
            "multiplies the work by 3 to 8",
        ],
        _claims_11,
    ),
    ("12", "answer"): (
        [
            "damped to about $1.05$ (for $C = 3$ and the demo's $\\beta_2 = 0.1$)",
            "falls back to about $1.7$ and then $1.1$",
            "$1/\\sqrt{v_2} + 1/\\sqrt{v_3} \\approx 0.76 + 0.97 = 1.73$",
            "$(C - 2)/\\sqrt{\\hat v} > 0$",
            "$\\beta_2 \\approx 0.47$ for $C = 3$",
        ],
        _claims_12,
    ),
    ("13", "answer"): (
        [
            "$r = 2\\gamma\\sigma^2/\\mu$",
            "$\\sigma^2 = 0$ for the full gradient",
            "$\\gamma_t = c/(t + a)$",
            "rate $O(1/t)$",
            "$c\\mu > 1$",
        ],
        _claims_13,
    ),
    ("14", "answer"): (
        [
            "centered differences need $2d$ evaluations of $f$ and are only\n"
            "accurate to about $10^{-10}$",
            "the backward rule of a matrix product,\nthe bulk of a network's work, is two products "
            "of the same size",
            "together cost $3$ times the forward pass",
        ],
        _claims_14,
    ),
}

# a number stated approximately: a decimal, a power of ten, or a number after "about" / ≈
APPROXIMATE = re.compile(
    r"\d+\.\d+|10\^\{?-?\d+\}?|\\approx\s*\$?\s*[\d.]+|about\s+\$?[\d.]+|\\gtrsim\s*\d+"
)


def test_every_model_answer_is_listed():
    assert set(ANSWERS) == set(CLAIMS), "add the new model answer (and its numbers) to CLAIMS"


@pytest.mark.parametrize("key", sorted(CLAIMS), ids=["-".join(k) for k in sorted(CLAIMS)])
def test_quoted_claims_are_in_the_answer_and_recomputed(key):
    phrases, recompute = CLAIMS[key]
    for phrase in phrases:
        assert phrase in ANSWERS[key], f"exercise {key[0]}: the key no longer says {phrase!r}"
    if recompute is not None:
        recompute()


@pytest.mark.parametrize("key", sorted(CLAIMS), ids=["-".join(k) for k in sorted(CLAIMS)])
def test_every_approximate_number_is_covered_by_a_claim(key):
    phrases, _ = CLAIMS[key]
    text = ANSWERS[key]
    spans = [(m.start(), m.end()) for p in phrases for m in re.finditer(re.escape(p), text)]
    loose = [
        m.group()
        for m in APPROXIMATE.finditer(text)
        if not any(s <= m.start() and m.end() <= e for s, e in spans)
    ]
    assert loose == [], f"exercise {key[0]}: numbers without a recomputation in CLAIMS: {loose}"
