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
    """Measure the two batch-unfriendly spots behind a missed bar (see RESULTS.md)."""
    from course_lib.objectives import ill_conditioned_quadratic
    from course_lib.stochastic import least_squares_gradient, least_squares_loss

    rng = np.random.default_rng(1)
    f = ill_conditioned_quadratic(100.0, dim=100)
    x = rng.standard_normal((K, 100))
    t_value = median_time(lambda: f.value(x))
    t_alt = median_time(lambda: 0.5 * np.einsum("...i,...i->...", x, x @ f.A) - x @ f.b)
    t_grad = median_time(lambda: f.gradient(x))
    ctx.finding(
        TITLE,
        f"GD: `quadratic(...).value` on a ({K}, 100) batch takes {t_value * 1e6:.0f} µs "
        f"(`np.einsum('...i,ij,...j->...')` does not use BLAS), against {t_grad * 1e6:.0f} µs "
        f"for the gradient; `0.5 * np.einsum('...i,...i->...', x, x @ A) - x @ b` gives the "
        f"same values in {t_alt * 1e6:.0f} µs ({t_value / t_alt:.0f}× faster). "
        "`iterate` evaluates the value at every step, so this sets the cost of the sweep.",
    )
    n = X.shape[0]
    W = rng.standard_normal((K, X.shape[1]))
    H, Xty, yy = X.T @ X / n, X.T @ y / n, y @ y / n
    t_loss = median_time(lambda: least_squares_loss(W, X, y), repeats=3)
    t_gradf = median_time(lambda: least_squares_gradient(W, X, y), repeats=3)
    t_suff = median_time(lambda: 0.5 * np.einsum("...i,...i->...", W, W @ H) - W @ Xty + yy / 2)
    t_stats = median_time(lambda: (X.T @ X, X.T @ y, y @ y), repeats=3)
    ctx.finding(
        TITLE,
        f"SGD: besides the steps, `sgd` evaluates the full-data loss three times (f₀, the "
        f"end-of-epoch divergence check, the recorded losses) and the full gradient once. "
        f"For {K} weight vectors at n = {n}, `least_squares_loss` takes "
        f"{t_loss * 1e3:.1f} ms and `least_squares_gradient` {t_gradf * 1e3:.1f} ms "
        f"(`X @ w[..., None]` is {K} separate matrix-vector products over X); from the "
        f"sufficient statistics XᵀX/n, Xᵀy/n, yᵀy/n (formed once in {t_stats * 1e3:.1f} ms) "
        f"the loss takes {t_suff * 1e6:.0f} µs.",
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
