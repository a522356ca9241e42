"""Test functions shared by the cases, written once in plain NumPy.

Every timed callable (ours and the anchors) calls the same function, so the comparison
measures the differentiation scheme, not the cost of the objective or of its input checks.
"""

from __future__ import annotations

import numpy as np


def rosen(x: np.ndarray) -> np.ndarray:
    """Chained Rosenbrock f(x) = Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)², over the last axis.

    Equal to ``scipy.optimize.rosen`` for a 1-D x, and vectorised over leading axes.
    """
    x0 = x[..., :-1]
    x1 = x[..., 1:]
    return np.sum(100.0 * (x1 - x0 * x0) ** 2 + (1.0 - x0) ** 2, axis=-1)


def rosen_grad(x: np.ndarray) -> np.ndarray:
    """The exact gradient of :func:`rosen`, vectorised over leading axes."""
    x0 = x[..., :-1]
    x1 = x[..., 1:]
    r = x1 - x0 * x0
    g = np.zeros_like(x)
    g[..., :-1] = -400.0 * x0 * r - 2.0 * (1.0 - x0)
    g[..., 1:] += 200.0 * r
    return g


def rosen_hess_tridiagonal(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal and off-diagonal of the (tridiagonal) Rosenbrock Hessian at a 1-D x."""
    x0 = x[:-1]
    x1 = x[1:]
    diag = np.zeros_like(x)
    diag[:-1] = 1200.0 * x0**2 - 400.0 * x1 + 2.0
    diag[1:] += 200.0
    off = -400.0 * x0
    return diag, off


def rosen_point(d: int, seed: int = 0) -> np.ndarray:
    """A reproducible point in [−1.5, 1.5]^d, away from the minimum."""
    return np.random.default_rng(seed).uniform(-1.5, 1.5, size=d)
