"""Case 5: a sweep of K = 64 learning rates in one vectorised call versus 64 calls.

course_lib's iterative methods take an array of learning rates and run them together
(iterates of shape (K, T + 1, d)). The bar: the whole sweep costs at most 3× one run, because
the loop over iterations is paid once and the K runs share every array operation.
"""

from __future__ import annotations

import numpy as np

from benchmarks.harness import Context, Row, agreement, median_time

TITLE = "5. Learning-rate sweep: K = 64 runs in one call"
DESCRIPTION = (
    "`descent.gradient_descent(f, x0, η)` on an ill-conditioned quadratic (κ = 100) for T "
    "iterations, and one `stochastic.sgd` epoch (B = 32, momentum 0.9), with η an array of "
    "K = 64 learning rates, against 64 separate calls and against one call with a single η. "
    "Bar: the K = 64 call takes ≤ 3× the time of one run (the anchor / ours column is then "
    "≥ 0.33× against 'one run'). Runs of the batch must equal the separate runs."
)

K = 64


def run(ctx: Context) -> list[Row]:
    from course_lib.descent import gradient_descent
    from course_lib.objectives import ill_conditioned_quadratic
    from course_lib.stochastic import sgd

    rows = []
    T = ctx.size(500, 100)
    for d in ctx.size((2, 100), (2, 100)):
        f = ill_conditioned_quadratic(100.0, dim=d)
        x0 = np.ones(d)
        lrs = np.linspace(0.05, 1.9, K) / float(np.max(f.eigenvalues))

        def batched(f=f, x0=x0, lrs=lrs):
            return gradient_descent(f, x0, lrs, max_iter=T, tol=0.0).final

        def separate(f=f, x0=x0, lrs=lrs):
            return np.stack([gradient_descent(f, x0, lr, max_iter=T, tol=0.0).final for lr in lrs])

        def one(f=f, x0=x0, lrs=lrs):
            return gradient_descent(f, x0, lrs[-1], max_iter=T, tol=0.0).final

        rows += _rows(ctx, f"GD, d = {d}, T = {T}", "gradient_descent", batched, separate, one)

    n = ctx.size(100_000, 10_000)
    d = 10
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + 0.1 * rng.standard_normal(n)
    w0 = np.zeros(d)
    lrs = np.linspace(0.001, 0.02, K)

    def sgd_batched():
        return sgd(X, y, w0, lrs, batch_size=32, epochs=1, momentum=0.9, seed=3).final

    def sgd_separate():
        return np.stack(
            [sgd(X, y, w0, lr, batch_size=32, epochs=1, momentum=0.9, seed=3).final for lr in lrs]
        )

    def sgd_one():
        return sgd(X, y, w0, lrs[-1], batch_size=32, epochs=1, momentum=0.9, seed=3).final

    rows += _rows(
        ctx, f"SGD epoch, n = {n}, d = {d}, B = 32", "sgd", sgd_batched, sgd_separate, sgd_one
    )
    _explain(ctx, X, y)
    return rows


def _explain(ctx, X, y):
    """Measure where a K = 64 sweep spends its time beyond one run (see RESULTS.md)."""
    from course_lib.descent import gradient_descent
    from course_lib.objectives import ill_conditioned_quadratic
    from course_lib.stochastic import _least_squares_value_and_gradient

    rng = np.random.default_rng(1)
    f = ill_conditioned_quadratic(100.0, dim=100)
    x = rng.standard_normal((K, 100))
    steps = 500
    t_fused = median_time(lambda: f.value_and_gradient(x))
    t_product = median_time(lambda: x @ f.A)
    t_one = median_time(
        lambda: gradient_descent(f, np.ones(100), 0.01, max_iter=steps, tol=0.0), repeats=3
    )
    ctx.finding(
        TITLE,
        f"GD, d = 100: each step of the K = {K} sweep evaluates f and ∇f together "
        f"(`Objective.value_and_gradient`, {t_fused * 1e6:.0f} µs), of which the one BLAS "
        f"product x @ A of the ({K}, 100) batch is {t_product * 1e6:.0f} µs: {K} × 100 × 100 "
        f"multiply-adds that one run does not do. One run costs {t_one / steps * 1e6:.0f} µs a "
        f"step, nearly all of it Python and NumPy call overhead, so 3× one run leaves "
        f"{2 * t_one / steps * 1e6:.0f} µs a step for the extra arithmetic of 63 runs; the "
        "product alone takes most of that.",
    )
    W = rng.standard_normal((K, X.shape[1]))
    t_pass = median_time(lambda: _least_squares_value_and_gradient(W, X, y), repeats=3)
    ctx.finding(
        TITLE,
        f"SGD: besides the steps, `sgd` evaluates the full-data loss and gradient of the start "
        f"(once, shared by every run) and of each recorded iterate: for {K} weight vectors at "
        f"n = {X.shape[0]} that pass over X (one residual matrix for both) takes "
        f"{t_pass * 1e3:.1f} ms.",
    )


def _rows(ctx, setting, name, batched, separate, one):
    ok, detail = agreement(batched(), separate(), 1e-12)
    t_batch = ctx.time(batched)
    t_sep = ctx.time(separate)
    t_one = ctx.time(one)
    ours = f"{name}, K = {K} in one call"
    return [
        Row(TITLE, setting, ours, t_batch, f"{K} separate calls", t_sep, ok, detail),
        Row(
            TITLE,
            setting,
            ours,
            t_batch,
            "one run (K = 1)",
            t_one,
            None,
            bar="≤ 3× one run",
            met=bool(t_batch <= 3 * t_one),
            note=f"batch / one run = {t_batch / t_one:.2f}",
        ),
    ]
