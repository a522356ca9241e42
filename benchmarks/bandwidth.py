"""Case 7: the full-batch gradient (1/n) Xᵀ(Xw − y) against the machine's memory bandwidth.

At n = 10⁶, d = 100, X is 800 MB, far larger than any cache, so the gradient can go no faster
than the memory system delivers X. The limit is measured here with a large array copy
(``numpy.copyto``, counted as one read plus one write). Two straightforward passes over X
(Xw, then Xᵀr) move 2 · 8nd bytes; a blocked loop that reuses each block of rows while it is
in cache moves 8nd. The table reports the time the copy bandwidth allows for the two-pass
traffic divided by the measured time: the fraction of the limit reached.
"""

from __future__ import annotations

import numpy as np

from benchmarks.harness import Context, Row, agreement

TITLE = "7. Full-batch gradient and memory bandwidth"
DESCRIPTION = (
    "`stochastic.least_squares_gradient(w, X, y)` = (1/n) Xᵀ(Xw − y) at n = 10⁶, d = 100 "
    "(X is 800 MB). The limit is the machine's bandwidth measured by a large array copy "
    "(bytes read + bytes written per second). 'anchor' is the time that bandwidth allows "
    "for reading X twice (two passes: Xw, then Xᵀr), so anchor / ours is the fraction of the "
    "limit reached; a blocked one-pass loop (each block of rows read once from memory) is "
    "shown as a second reference, whose limit is half as long."
)


def copy_bandwidth(nbytes: int, ctx: Context) -> float:
    """Bytes per second of ``numpy.copyto`` on arrays of ``nbytes`` (read + write counted)."""
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    t = ctx.time(lambda: np.copyto(dst, src))
    return 2 * src.nbytes / t


def blocked_gradient(w, X, y, rows=4096):
    """(1/n) Xᵀ(Xw − y), one block of rows at a time, so each block is read from RAM once."""
    g = np.zeros(X.shape[1])
    for s in range(0, X.shape[0], rows):
        Xb = X[s : s + rows]
        g += (Xb @ w - y[s : s + rows]) @ Xb
    return g / X.shape[0]


def run(ctx: Context) -> list[Row]:
    from course_lib.stochastic import least_squares_gradient

    n = ctx.size(1_000_000, 200_000)
    d = 100
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    w = rng.standard_normal(d)

    bw = copy_bandwidth(ctx.size(512_000_000, 128_000_000), ctx)
    two_pass_limit = 2 * X.nbytes / bw
    one_pass_limit = X.nbytes / bw

    reference = X.T @ (X @ w - y) / n
    ours = least_squares_gradient(w, X, y)
    ok, detail = agreement(ours, reference, 1e-10)
    t_ours = ctx.time(lambda: least_squares_gradient(w, X, y))
    t_numpy = ctx.time(lambda: X.T @ (X @ w - y) / n)
    t_blocked = ctx.time(lambda: blocked_gradient(w, X, y))
    ok_b, detail_b = agreement(blocked_gradient(w, X, y), reference, 1e-10)

    setting = f"n = {n}, d = {d}"
    gbs = lambda t: f"{2 * X.nbytes / t / 1e9:.1f} GB/s for two passes"  # noqa: E731
    rows = [
        Row(
            TITLE,
            setting,
            "least_squares_gradient",
            t_ours,
            f"copy-bandwidth limit, 2 passes ({bw / 1e9:.1f} GB/s)",
            two_pass_limit,
            ok,
            detail,
            note=f"{gbs(t_ours)}; fraction of the limit = anchor / ours",
        ),
        Row(
            TITLE,
            setting,
            "plain NumPy X.T @ (X @ w − y) / n",
            t_numpy,
            f"copy-bandwidth limit, 2 passes ({bw / 1e9:.1f} GB/s)",
            two_pass_limit,
            True,
            "reference",
            note=gbs(t_numpy),
        ),
        Row(
            TITLE,
            setting,
            "blocked one-pass loop (4096 rows)",
            t_blocked,
            f"copy-bandwidth limit, 1 pass ({bw / 1e9:.1f} GB/s)",
            one_pass_limit,
            ok_b,
            detail_b,
            note=f"{X.nbytes / t_blocked / 1e9:.1f} GB/s of X read",
        ),
    ]
    ctx.finding(
        TITLE,
        f"Measured copy bandwidth {bw / 1e9:.1f} GB/s; course_lib reaches "
        f"{two_pass_limit / t_ours:.0%} of the two-pass limit "
        f"({2 * X.nbytes / t_ours / 1e9:.1f} GB/s), the blocked one-pass loop "
        f"{one_pass_limit / t_blocked:.0%} of the one-pass limit and is "
        f"{t_ours / t_blocked:.2f}× as fast as course_lib.",
    )
    return rows
