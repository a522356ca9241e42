"""Case 6: the loss surface of a line fit y = m x + b over a grid of (m, b).

course_lib's ``closed_form.line_fit_loss_surface`` uses the five sufficient statistics
Σx, Σx², Σy, Σxy, Σy², so the cost is O(n + grid) and no (grid, n) array exists. The anchor
is the broadcast a student writes, mean over n of (m x + b − y)². At 400 × 400 × 10 000 the
one-shot broadcast would need 12.8 GB for each temporary, so the anchor runs it in slabs of a
few slopes (the same arithmetic, bounded memory; a fairer anchor than one that swaps).
"""

from __future__ import annotations

import numpy as np

from benchmarks.harness import Context, Row, agreement, format_bytes, peak_memory

TITLE = "6. Line-fit loss surface"
DESCRIPTION = (
    "`closed_form.line_fit_loss_surface(x, y, slopes, intercepts)` (sufficient statistics) "
    "against the naive broadcast mean((m x + b − y)²) over the n points (run in slabs of "
    "slopes so it fits in memory). Bar: ≥ 100× faster, and no (grid, grid, n) array: the "
    "peak allocation of ours (tracemalloc) stays below 1 % of that array."
)


def naive_surface(x, y, slopes, intercepts, *, slab_bytes=256e6, scale=None):
    """mean over points of (m x + b − y)², by broadcasting over (slopes, intercepts, n)."""
    n = x.size
    per_slope = intercepts.size * n * 8
    k = max(1, int(slab_bytes // per_slope))
    out = np.empty((slopes.size, intercepts.size))
    for s in range(0, slopes.size, k):
        m = slopes[s : s + k, None, None]
        r = m * x + intercepts[None, :, None] - y
        out[s : s + k] = np.mean(r * r, axis=-1)
    return out if scale is None else scale * out


def _convention(surface, x, y, slopes, intercepts):
    """Factor c and orientation so that ours == c * naive (mean or half-mean; (m, b) or (b, m))."""
    m, b = slopes[1], intercepts[2]
    direct = float(np.mean((m * x + b - y) ** 2))
    for transpose in (False, True):
        s = surface.T if transpose else surface
        if s.shape == (slopes.size, intercepts.size):
            c = s[1, 2] / direct
            for known in (1.0, 0.5):
                if abs(c - known) < 1e-9:
                    return known, transpose
    raise AssertionError("line_fit_loss_surface: could not match its layout or scale")


def run(ctx: Context) -> list[Row]:
    from course_lib.closed_form import line_fit_loss_surface

    grid = ctx.size(400, 100)
    n = ctx.size(10_000, 2_000)
    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 10.0, n)
    y = 2.0 * x + 1.0 + rng.normal(0.0, 1.0, n)
    slopes = np.linspace(-1.0, 5.0, grid)
    intercepts = np.linspace(-5.0, 7.0, grid)

    ours = line_fit_loss_surface(x, y, slopes, intercepts)
    scale, transpose = _convention(ours, x, y, slopes, intercepts)
    naive = naive_surface(x, y, slopes, intercepts, scale=scale)
    ok, detail = agreement(ours.T if transpose else ours, naive, 1e-10)

    peak = peak_memory(lambda: line_fit_loss_surface(x, y, slopes, intercepts))
    full = grid * grid * n * 8
    row = Row(
        TITLE,
        f"{grid} × {grid} grid, n = {n}",
        "line_fit_loss_surface",
        ctx.time(lambda: line_fit_loss_surface(x, y, slopes, intercepts)),
        "naive broadcast (slabs)",
        ctx.time(lambda: naive_surface(x, y, slopes, intercepts)),
        ok,
        detail,
        note=(
            f"peak allocated by ours {format_bytes(peak)}; one (grid, grid, n) array "
            f"{format_bytes(full)}"
        ),
    ).require_speedup(100)
    row.bar += " and no (grid, grid, n) array"
    row.met = bool(row.met and peak < 0.01 * full)
    return [row]
