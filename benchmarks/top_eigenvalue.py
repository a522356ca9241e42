"""Case 3: the top Hessian eigenvalue from Hessian-vector products, at d = 10 000.

course_lib's ``curvature.top_eigenvalue`` (Lanczos, and power iteration) on the product
v ↦ ``derivatives.hessian_vector_product(grad, x, v)`` (two gradient calls a product) against
scipy's ARPACK ``eigsh`` on the same product, and against forming the full Hessian
(``objectives.rosenbrock(dim=d).hessian``) and calling ``numpy.linalg.eigvalsh``. The exact
answer comes from ``scipy.linalg.eigh_tridiagonal`` on the analytic tridiagonal Hessian.
The full-Hessian route and the memory of every route are measured in a fresh subprocess
(peak RSS above the interpreter's baseline), so LAPACK's workspace is counted too.
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import rosen_grad, rosen_hess_tridiagonal, rosen_point
from benchmarks.harness import Context, Row, format_bytes, subprocess_measure

TITLE = "3. Top Hessian eigenvalue from Hessian-vector products"
DESCRIPTION = (
    "Largest eigenvalue of the Rosenbrock Hessian at a random point. Ours: "
    "`curvature.top_eigenvalue(hvp, d)` with `hvp(v) = derivatives.hessian_vector_product("
    "grad, x, v)`; anchors: scipy `eigsh` (ARPACK) on the same product, and forming the "
    "d × d Hessian then `numpy.linalg.eigvalsh`. Errors are relative to "
    "`scipy.linalg.eigh_tridiagonal` on the exact tridiagonal Hessian. Memory is the peak "
    "RSS of a fresh subprocess above its baseline after imports. No numeric bar: the issue "
    "asks for time and memory."
)

_SETUP = """
import numpy as np
from benchmarks.common import rosen_grad, rosen_point
d = {d}
x = rosen_point(d)
"""

_FULL = """
from course_lib.objectives import rosenbrock
if d <= 2000:  # warm up LAPACK where a cold call would dominate; at d = 10 000 it does not
    np.linalg.eigvalsh(rosenbrock(dim=d).hessian(x))
t0 = time.perf_counter()
H = rosenbrock(dim=d).hessian(x)
lam = float(np.linalg.eigvalsh(H)[-1])
result = {"seconds": time.perf_counter() - t0, "value": lam}
"""

_OURS = """
from course_lib.curvature import top_eigenvalue
from course_lib.derivatives import hessian_vector_product
t0 = time.perf_counter()
res = top_eigenvalue(lambda v: hessian_vector_product(rosen_grad, x, v), d, method="{method}",
                     max_iter={max_iter},
                     seed=0)
result = {"seconds": time.perf_counter() - t0, "value": float(res.value)}
"""


# Power iteration converges at the rate λ₂/λ₁ per product; the Rosenbrock Hessian's top
# eigenvalues are close, so it needs hundreds of products (its default max_iter is 10 000).
MAX_ITER = {"lanczos": 200, "power": 10_000}


def _exact_top(x) -> float:
    from scipy.linalg import eigh_tridiagonal

    diag, off = rosen_hess_tridiagonal(x)
    d = x.size
    return float(
        eigh_tridiagonal(diag, off, eigvals_only=True, select="i", select_range=(d - 1, d - 1))[0]
    )


def run(ctx: Context) -> list[Row]:
    from scipy.sparse.linalg import LinearOperator, eigsh

    from course_lib.curvature import top_eigenvalue
    from course_lib.derivatives import hessian_vector_product

    d = ctx.size(10_000, 1_000)
    setting = f"d = {d}"
    x = rosen_point(d)
    exact = _exact_top(x)

    def hvp(v):
        return hessian_vector_product(rosen_grad, x, v)

    memory = {}
    for method in ("lanczos", "power"):
        m = subprocess_measure(
            _SETUP.replace("{d}", str(d))
            + _OURS.replace("{method}", method).replace("{max_iter}", str(MAX_ITER[method]))
        )
        memory[method] = m["peak_rss"] - m["baseline_rss"]
    full = subprocess_measure(_SETUP.replace("{d}", str(d)) + _FULL, timeout=1800)
    memory["full"] = full["peak_rss"] - full["baseline_rss"]
    full_err = abs(full["value"] - exact) / abs(exact)

    rows = []
    ours_results = {}
    for method in ("lanczos", "power"):
        res = top_eigenvalue(hvp, d, method=method, seed=0, max_iter=MAX_ITER[method])
        ours_results[method] = res
        err = abs(float(res.value) - exact) / abs(exact)
        t_ours = ctx.time(
            lambda method=method: top_eigenvalue(
                hvp, d, method=method, seed=0, max_iter=MAX_ITER[method]
            )
        )
        tol = 1e-6
        rows.append(
            Row(
                TITLE,
                setting,
                f"top_eigenvalue ({method})",
                t_ours,
                "full Hessian + eigvalsh",
                full["seconds"],
                bool(abs(float(res.value) - full["value"]) <= tol * abs(exact)),
                f"rel {tol:g}",
                err,
                full_err,
                note=(
                    f"{res.n_products} products (max_iter {MAX_ITER[method]}, converged "
                    f"{res.converged}); peak RSS ours "
                    f"{format_bytes(memory[method])}, full {format_bytes(memory['full'])} "
                    "(one timed run of the full route)"
                ),
            )
        )

    op = LinearOperator((d, d), matvec=hvp, dtype=float)
    counter = {"n": 0}

    def counted(v):
        counter["n"] += 1
        return hvp(v)

    v0 = np.random.default_rng(0).standard_normal(d)
    value = float(
        eigsh(
            LinearOperator((d, d), matvec=counted, dtype=float),
            k=1,
            which="LA",
            v0=v0,
            return_eigenvectors=False,
        )[0]
    )
    t_arpack = ctx.time(lambda: eigsh(op, k=1, which="LA", v0=v0, return_eigenvectors=False))
    res = ours_results["lanczos"]
    rows.append(
        Row(
            TITLE,
            setting,
            "top_eigenvalue (lanczos)",
            rows[0].ours_s,
            "scipy eigsh (ARPACK) on the same hvp",
            t_arpack,
            bool(abs(float(res.value) - value) <= 1e-6 * abs(exact)),
            "rel 1e-06",
            rows[0].ours_err,
            abs(value - exact) / abs(exact),
            note=f"{res.n_products} products (ours) vs {counter['n']} (ARPACK)",
        )
    )
    ctx.finding(
        TITLE,
        f"At d = {d} the full Hessian alone is {format_bytes(8 * d * d)}; the product-based "
        f"routes hold a few vectors of {format_bytes(8 * d)}.",
    )
    return rows
