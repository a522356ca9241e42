"""Case 2: Hessian by centered differences of the analytic gradient.

course_lib's ``derivatives.hessian_from_gradient`` evaluates the gradient once on the stacked
(2d, d) batch x ± h eᵢ and symmetrises; scipy's ``approx_derivative`` of the gradient (3-point,
its default) calls the gradient 2d times; ``numdifftools.Hessian`` differentiates f twice with
Richardson extrapolation, and ``numdifftools.Jacobian`` of the gradient is shown for
reference. Accuracy is measured against ``scipy.optimize.rosen_hess``.
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import rosen, rosen_grad, rosen_point
from benchmarks.harness import Context, Row, agreement, relative_error

TITLE = "2. Hessian from the analytic gradient (Rosenbrock)"
DESCRIPTION = (
    "`derivatives.hessian_from_gradient(grad, x)` (one call of the vectorised gradient on "
    "the (2d, d) batch) against scipy's `approx_derivative(grad, x)` (3-point, 2d calls), "
    "`numdifftools.Hessian(f)` (second differences of f with Richardson extrapolation) and "
    "`numdifftools.Jacobian(grad)`. Errors are relative to `scipy.optimize.rosen_hess`. "
    "Bars: ≥ 10× faster than scipy, ≥ 100× faster than numdifftools.Hessian, error ≤ 1e-6."
)


def run(ctx: Context) -> list[Row]:
    import numdifftools as nd
    from scipy.optimize import rosen_hess
    from scipy.optimize._numdiff import approx_derivative

    from course_lib.derivatives import hessian_from_gradient

    rows = []
    for d in ctx.size((10, 100), (10,)):
        setting = f"d = {d}"
        x = rosen_point(d)
        exact = rosen_hess(x)
        ours = hessian_from_gradient(rosen_grad, x)
        ours_err = relative_error(ours, exact)
        t_ours = ctx.time(lambda x=x: hessian_from_gradient(rosen_grad, x))
        accurate = ours_err <= 1e-6

        anchors = [
            ("scipy approx_derivative(grad)", lambda x=x: approx_derivative(rosen_grad, x), 10),
            ("numdifftools.Hessian(f)", lambda x=x: nd.Hessian(rosen)(x), 100),
            ("numdifftools.Jacobian(grad)", lambda x=x: nd.Jacobian(rosen_grad)(x), None),
        ]
        for name, fn, bar in anchors:
            t_anchor, result = ctx.timed(fn)
            ok, detail = agreement(ours, result, 1e-6)
            r = Row(
                TITLE,
                setting,
                "hessian_from_gradient",
                t_ours,
                name,
                t_anchor,
                ok,
                detail,
                ours_err,
                relative_error(result, exact),
            )
            if bar is not None:
                r.require_speedup(bar)
                r.bar += " and error ≤ 1e-6"
                r.met = bool(r.met and accurate)
            rows.append(r)
        _explain(ctx, d, x, rows[-3])
    return rows


def _explain(ctx, d, x, row):
    """Where the time goes against scipy: its cost per gradient call against ours per point."""
    from benchmarks.harness import median_time

    batch = np.tile(x, (2 * d, 1))
    t_one = median_time(lambda: rosen_grad(x))
    t_batch = median_time(lambda: rosen_grad(batch))
    ctx.finding(
        TITLE,
        f"d = {d}: scipy spends {row.anchor_s / (2 * d) * 1e6:.1f} µs per gradient call "
        f"(the gradient itself: {t_one * 1e6:.1f} µs); ours takes "
        f"{row.ours_s * 1e6:.0f} µs in all, of which the one batched gradient call on "
        f"(2d, d) points is {t_batch * 1e6:.0f} µs; the rest is the fixed cost of the call "
        f"(input checks, building the stencil and the points, symmetrising).",
    )
