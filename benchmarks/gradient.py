"""Case 1: centered-difference gradient of a vectorised function (Rosenbrock).

course_lib's ``derivatives.gradient`` evaluates f once on the stacked batch of 2d perturbed
points x ± h eᵢ (in chunks when d is large); scipy's ``approx_fprime`` (2-point) and
``approx_derivative`` (3-point) call f once per perturbed point; the student's loop does the
same by hand. Every method differentiates the same plain-NumPy Rosenbrock, and the error is
measured against the exact gradient (``scipy.optimize.rosen_der``).
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import rosen, rosen_point
from benchmarks.harness import Context, Row, agreement, format_bytes, peak_memory, relative_error

TITLE = "1. Centered-difference gradient (Rosenbrock)"
DESCRIPTION = (
    "`derivatives.gradient(f, x)` (one call of f on the (2d, d) batch of x ± h eᵢ, chunked "
    "for large d) against `scipy.optimize.approx_fprime` (2-point, d + 1 calls of f), scipy's "
    "3-point `approx_derivative` (2d calls) and the per-coordinate Python loop a student "
    "writes (2d calls, same h as ours). All differentiate the same vectorised Rosenbrock; "
    "errors are relative to the exact gradient `scipy.optimize.rosen_der`. Bars: at d ≤ 1000 "
    "≥ 10× faster than scipy 3-point at the same accuracy (ours within 10× of its error), and "
    "at least as fast as scipy 2-point while ≥ 100× more accurate. Memory: the peak of our "
    "call at large d against the 2d·d·8 bytes of an unchunked batch."
)


def student_loop(f, x, h):
    """The per-coordinate loop of a typical course: two calls of f per coordinate."""
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h[i] if np.ndim(h) else h
        g[i] = (f(x + e) - f(x - e)) / (2.0 * e[i])
    return g


def _default_step(x):
    """The step ours uses by default, for the student loop: ε^(1/3) max(1, |x|)."""
    return np.finfo(float).eps ** (1 / 3) * np.maximum(1.0, np.abs(x))


def run(ctx: Context) -> list[Row]:
    from scipy.optimize import approx_fprime, rosen_der
    from scipy.optimize._numdiff import approx_derivative

    from course_lib.derivatives import gradient

    rows = []
    for d in ctx.size((10, 100, 1000), (10, 100)):
        setting = f"d = {d}"
        x = rosen_point(d)
        exact = rosen_der(x)
        ours = gradient(rosen, x)
        ours_err = relative_error(ours, exact)
        t_ours = ctx.time(lambda x=x: gradient(rosen, x))

        g3 = approx_derivative(rosen, x, method="3-point")
        ok, detail = agreement(ours, g3, 1e-7)
        r = Row(
            TITLE,
            setting,
            "gradient (centered)",
            t_ours,
            "scipy approx_derivative 3-point",
            ctx.time(lambda x=x: approx_derivative(rosen, x, method="3-point")),
            ok,
            detail,
            ours_err,
            relative_error(g3, exact),
        ).require_speedup(10)
        r.met = bool(r.met and r.ours_err <= 10 * r.anchor_err)
        rows.append(r)

        g2 = approx_fprime(x, rosen)
        ok, detail = agreement(ours, g2, 1e-4)
        r = Row(
            TITLE,
            setting,
            "gradient (centered)",
            t_ours,
            "scipy approx_fprime 2-point",
            ctx.time(lambda x=x: approx_fprime(x, rosen)),
            ok,
            detail,
            ours_err,
            relative_error(g2, exact),
            bar="≥ 1× and ≥ 100× more accurate",
        )
        r.met = bool(r.ratio >= 1 and r.anchor_err >= 100 * r.ours_err)
        rows.append(r)

        h = _default_step(x)
        gl = student_loop(rosen, x, h)
        ok, detail = agreement(ours, gl, 1e-9)
        rows.append(
            Row(
                TITLE,
                setting,
                "gradient (centered)",
                t_ours,
                "Python loop over coordinates",
                ctx.time(lambda x=x, h=h: student_loop(rosen, x, h)),
                ok,
                detail,
                ours_err,
                relative_error(gl, exact),
            )
        )

        _explain(ctx, d, x, rows[-3])
    rows.append(_memory_row(ctx, gradient, rosen_der))
    return rows


def _explain(ctx, d, x, row3):
    """The ceiling of the ratio against scipy 3-point: its cost per call of f against ours."""
    from benchmarks.harness import median_time

    rows = min(2 * d, 32)  # the chunk course_lib evaluates at a time for large d
    batch = np.tile(x, (rows, 1))
    t_row = median_time(lambda: rosen(x))
    t_batch = median_time(lambda: rosen(batch)) / rows
    per_call = row3.anchor_s / (2 * d)
    ctx.finding(
        TITLE,
        f"d = {d}: scipy 3-point spends {per_call * 1e6:.1f} µs per evaluation of f "
        f"(f itself on one point: {t_row * 1e6:.1f} µs; the rest is scipy's per-call "
        f"bookkeeping); ours spends {row3.ours_s / (2 * d) * 1e6:.2f} µs per point, of which f "
        f"on a stacked batch of {rows} points is {t_batch * 1e6:.2f} µs a point. Batching "
        f"removes the per-call cost, not the arithmetic, so against scipy the ratio cannot "
        f"exceed about {per_call / t_batch:.0f}× here; measured {row3.ratio:.1f}×.",
    )


def _memory_row(ctx, gradient, rosen_der) -> Row:
    """Peak memory of our gradient at large d, against an unchunked (2d, d) batch."""
    d = ctx.size(20_000, 2_000)
    x = rosen_point(d)
    unchunked = 2 * d * d * 8
    peak = peak_memory(lambda: gradient(rosen, x))
    ours = gradient(rosen, x)
    t_ours = ctx.time(lambda: gradient(rosen, x))
    ok, detail = agreement(ours, rosen_der(x), 1e-6)
    return Row(
        TITLE,
        f"memory, d = {d}",
        "gradient (chunked)",
        t_ours,
        f"one (2d, d) batch: {format_bytes(unchunked)}",
        None,
        ok,
        detail,
        bar="peak ≤ 10% of the batch",
        met=bool(peak <= 0.1 * unchunked),
        note=f"peak allocated by ours: {format_bytes(peak)}",
    )
