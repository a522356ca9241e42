"""Case 9: a gradient by reverse-mode automatic differentiation (lecture 14).

``course_lib.autodiff.value_and_grad`` differentiates the chained Rosenbrock function written
with the engine's operations (one forward pass recording about a dozen array operations, one
backward pass). Anchors: the centered-difference gradient of lecture 02
(``derivatives.gradient`` on the plain-NumPy Rosenbrock, 2d stacked evaluations), forward mode
(``autodiff.forward_gradient``, d tangents in one pass) and, where torch is installed,
``torch.autograd`` in float64 on the same function. Errors are against the exact gradient.
"""

from __future__ import annotations

from benchmarks.common import rosen, rosen_grad, rosen_point
from benchmarks.harness import Context, Row, agreement, relative_error

TITLE = "9. Reverse-mode AD gradient (Rosenbrock): the cheap gradient principle"
DESCRIPTION = (
    "`autodiff.value_and_grad(f)(x)` (lecture 14's engine: one forward pass recording the "
    "array operations, one backward pass) against the centered-difference gradient of "
    "lecture 02 (`derivatives.gradient`, 2d evaluations of the plain-NumPy Rosenbrock stacked "
    "in batches), against forward mode (`autodiff.forward_gradient`, d tangents in one pass; "
    "run up to d = 1000, its tangents take d² numbers) and against `torch.autograd` (float64, "
    "same function) where torch is installed. Bar: at d ≥ 1000 the reverse-mode gradient is "
    "≥ 10× faster than finite differences. The notes give each gradient's time over one "
    "evaluation of f by the same machinery: reverse mode should stay at a small constant "
    "while finite differences grow like d."
)


def engine_rosen(x):
    """The chained Rosenbrock function written with course_lib.autodiff operations."""
    from course_lib import autodiff as ad

    head, tail = x[..., :-1], x[..., 1:]
    return ad.sum(100.0 * (tail - head**2) ** 2 + (1.0 - head) ** 2, axis=-1)


def torch_gradient(torch, x):
    """∇f by torch.autograd on the same Rosenbrock, float64."""
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    head, tail = xt[:-1], xt[1:]
    value = torch.sum(100.0 * (tail - head**2) ** 2 + (1.0 - head) ** 2)
    value.backward()
    return xt.grad.numpy()


def run(ctx: Context) -> list[Row]:
    from course_lib import autodiff as ad
    from course_lib.derivatives import gradient

    try:
        import torch
    except ImportError:
        torch = None
        ctx.skip(TITLE, "torch not installed: the torch.autograd rows are skipped")

    value_and_grad = ad.value_and_grad(engine_rosen)
    rows = []
    for d in ctx.size((10, 100, 1000, 10_000), (10, 100)):
        setting = f"d = {d}"
        x = rosen_point(d)
        exact = rosen_grad(x)
        t_ours, (_, ours) = ctx.timed(lambda x=x: value_and_grad(x))
        ours_err = relative_error(ours, exact)
        t_engine_f = ctx.time(lambda x=x: engine_rosen(ad.Tensor(x)))
        t_f = ctx.time(lambda x=x: rosen(x))

        t_fd, fd = ctx.timed(lambda x=x: gradient(rosen, x))
        ok, detail = agreement(ours, fd, 1e-7)
        row = Row(TITLE, setting, "autodiff reverse mode", t_ours,
                  "finite differences (derivatives.gradient)", t_fd, ok, detail, ours_err,
                  relative_error(fd, exact),
                  note=f"reverse / engine f = {t_ours / t_engine_f:.1f}; "
                  f"FD / NumPy f = {t_fd / t_f:.0f}")  # fmt: skip
        if d >= 1000:
            row.require_speedup(10)
        rows.append(row)

        if d <= 1000:
            t_fwd, fwd = ctx.timed(lambda x=x: ad.forward_gradient(engine_rosen, x))
            ok, detail = agreement(ours, fwd, 1e-12)
            rows.append(Row(TITLE, setting, "autodiff reverse mode", t_ours,
                            "autodiff forward mode (d tangents)", t_fwd, ok, detail, ours_err,
                            relative_error(fwd, exact)))  # fmt: skip

        if torch is not None:
            t_torch, tg = ctx.timed(lambda x=x: torch_gradient(torch, x))
            ok, detail = agreement(ours, tg, 1e-12)
            rows.append(Row(TITLE, setting, "autodiff reverse mode", t_ours,
                            "torch.autograd (float64)", t_torch, ok, detail, ours_err,
                            relative_error(tg, exact)))  # fmt: skip

        ctx.finding(
            TITLE,
            f"d = {d}: f in NumPy {t_f * 1e6:.1f} µs, f through the engine "
            f"{t_engine_f * 1e6:.0f} µs (recording the graph), value and gradient "
            f"{t_ours * 1e6:.0f} µs = {t_ours / t_engine_f:.1f}× the engine's f; "
            f"finite differences {t_fd * 1e3:.2f} ms = {t_fd / t_f:.0f}× NumPy's f "
            f"({2 * d} evaluations).",
        )
    return rows
