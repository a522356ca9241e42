"""Nelder–Mead: minimising with function values only (lecture 11).

A simplex of d + 1 points in ℝᵈ crawls downhill. Each iteration orders the vertices by
f (best x₀ ... worst x_d), takes the centroid x̄ of all but the worst, and tries points on the
line from the worst vertex through x̄:

    reflect            x_r  = x̄ + ρ(x̄ − x_d)
    expand             x_e  = x̄ + ρχ(x̄ − x_d)
    contract outside   x_oc = x̄ + ργ(x̄ − x_d)
    contract inside    x_ic = x̄ − γ(x̄ − x_d)
    shrink             xᵢ  ← x₀ + σ(xᵢ − x₀)   for every i ≥ 1

with the standard coefficients (ρ, χ, γ, σ) = (1, 2, ½, ½), or, with ``adaptive=True``, the
dimension-dependent ones of Gao and Han (2012), (1, 1 + 2/d, ¾ − 1/(2d), 1 − 1/d), which
behave better for large d (both as in ``scipy.optimize.minimize(method="Nelder-Mead")``).
The decision rules are those of Lagarias et al. (1998), which scipy follows too.

No gradient is ever computed, which is the point and the price: the work per iteration is
one or two evaluations (d more after a shrink), but the number of iterations grows quickly
with the dimension, while a gradient step moves all coordinates at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib._checks import as_points, callable_arg, positive, positive_int

MOVES = ("reflect", "expand", "contract_outside", "contract_inside", "shrink")


# --------------------------------------------------------------------------- the moves
def centroid(simplex, worst_index):
    """x̄ = (1/d) Σ_{i ≠ worst} xᵢ, the centroid of all vertices but the worst (lecture 11).

    Examples
    --------
    >>> centroid(np.array([[0.0, 0.0], [2.0, 0.0], [5.0, 5.0]]), 2).tolist()
    [1.0, 0.0]
    """
    simplex = np.asarray(simplex, dtype=float)
    return (np.sum(simplex, axis=0) - simplex[worst_index]) / (simplex.shape[0] - 1)


def reflect(simplex, worst_index, rho=1.0):
    """x_r = x̄ + ρ(x̄ − x_worst): the worst vertex mirrored through the centroid.

    Examples
    --------
    >>> reflect(np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0]]), 2).tolist()
    [1.0, -1.0]
    """
    c = centroid(simplex, worst_index)
    return c + rho * (c - np.asarray(simplex, dtype=float)[worst_index])


def expand(simplex, worst_index, rho=1.0, chi=2.0):
    """x_e = x̄ + ρχ(x̄ − x_worst): go further when the reflection was the best point yet.

    Examples
    --------
    >>> expand(np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0]]), 2).tolist()
    [1.0, -2.0]
    """
    c = centroid(simplex, worst_index)
    return c + rho * chi * (c - np.asarray(simplex, dtype=float)[worst_index])


def contract_outside(simplex, worst_index, rho=1.0, gamma=0.5):
    """x_oc = x̄ + ργ(x̄ − x_worst): halfway out, when the reflection was only a little better.

    Examples
    --------
    >>> contract_outside(np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0]]), 2).tolist()
    [1.0, -0.5]
    """
    c = centroid(simplex, worst_index)
    return c + rho * gamma * (c - np.asarray(simplex, dtype=float)[worst_index])


def contract_inside(simplex, worst_index, gamma=0.5):
    """x_ic = x̄ − γ(x̄ − x_worst): pull the worst vertex in, when reflecting did not help.

    Examples
    --------
    >>> contract_inside(np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0]]), 2).tolist()
    [1.0, 0.5]
    """
    c = centroid(simplex, worst_index)
    return c - gamma * (c - np.asarray(simplex, dtype=float)[worst_index])


def shrink(simplex, best_index, sigma=0.5):
    """xᵢ ← x_best + σ(xᵢ − x_best) for every vertex: the simplex shrinks towards its best.

    Examples
    --------
    >>> shrink(np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0]]), 0).tolist()
    [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
    """
    simplex = np.asarray(simplex, dtype=float)
    best = simplex[best_index]
    return best + sigma * (simplex - best)


def initial_simplex(x0, step=0.05, zero_step=0.00025):
    """x₀ and d points that each move one coordinate of x₀ by 5% (lecture 11).

    Vertex i (1 ≤ i ≤ d) is x₀ with coordinate i − 1 multiplied by 1 + ``step``, or set to
    ``zero_step`` where it is 0: the same start as scipy's Nelder–Mead.

    Examples
    --------
    >>> initial_simplex(np.array([1.0, 0.0])).tolist()
    [[1.0, 0.0], [1.05, 0.0], [1.0, 0.00025]]
    """
    x0 = as_points(x0, "x0")
    if x0.ndim != 1:
        raise ValueError(f"x0 must be a single point of shape (d,), got {x0.shape}")
    moved = np.where(x0 != 0, (1.0 + step) * x0, zero_step)
    return np.vstack([x0, np.where(np.eye(x0.size, dtype=bool), moved, x0)])


def coefficients(dim, adaptive=False):
    """(ρ, χ, γ, σ): (1, 2, ½, ½), or Gao–Han's (1, 1 + 2/d, ¾ − 1/(2d), 1 − 1/d) if adaptive.

    Examples
    --------
    >>> coefficients(2)
    (1.0, 2.0, 0.5, 0.5)
    """
    d = positive_int(dim, "dim")
    if adaptive:
        return 1.0, 1.0 + 2.0 / d, 0.75 - 1.0 / (2.0 * d), 1.0 - 1.0 / d
    return 1.0, 2.0, 0.5, 0.5


# --------------------------------------------------------------------------- the method
@dataclass(frozen=True)
class NelderMeadResult:
    """The record of a Nelder–Mead run with T iterations.

    Attributes
    ----------
    x : ndarray, shape (d,)
        The best vertex at the end.
    fun : float
        f(x).
    simplices : ndarray, shape (T + 1, d + 1, d)
        The simplex before the first and after every iteration, vertices sorted best first.
    values : ndarray, shape (T + 1, d + 1)
        f at those vertices (non-decreasing along each row).
    n_evaluations : ndarray of int, shape (T + 1,)
        Function evaluations used so far (d + 1 for the starting simplex).
    moves : ndarray of str, shape (T,)
        The move each iteration took, one of ``MOVES``.
    status : str
        ``"converged"`` (simplex and its values within xatol, fatol) or ``"max_iter"``
        (iteration or evaluation budget spent).
    """

    x: np.ndarray
    fun: float
    simplices: np.ndarray
    values: np.ndarray
    n_evaluations: np.ndarray
    moves: np.ndarray
    status: str

    @property
    def n_iterations(self) -> int:
        """T, the number of iterations."""
        return len(self.moves)

    @property
    def total_evaluations(self) -> int:
        """All function evaluations of the run."""
        return int(self.n_evaluations[-1])


def _evaluator(f, vectorized):
    """f on an array of points (k, d) → (k,): one call if f is vectorised, else one per point."""
    if vectorized:
        return lambda pts: np.asarray(f(pts), dtype=float).reshape(pts.shape[0])
    return lambda pts: np.array([float(f(p)) for p in pts])


def _converged(sim, fsim, xatol, fatol):
    """The simplex is small (within xatol of x₀) and flat (values within fatol of f(x₀))."""
    return np.max(np.abs(sim[1:] - sim[0])) <= xatol and np.max(np.abs(fsim[1:] - fsim[0])) <= fatol


def nelder_mead(
    f,
    x0,
    *,
    max_iter=None,
    max_evaluations=None,
    xatol=1e-4,
    fatol=1e-4,
    adaptive=False,
    initial=None,
    vectorized=True,
) -> NelderMeadResult:
    """Minimise f by the Nelder–Mead simplex method (lecture 11).

    One iteration, on the simplex sorted so that f(x₀) ≤ ... ≤ f(x_d), with x_r = reflect:

    - f(x_r) < f(x₀): try x_e = expand; keep the better of x_e and x_r.
    - f(x₀) ≤ f(x_r) < f(x_{d−1}): keep x_r.
    - f(x_{d−1}) ≤ f(x_r) < f(x_d): contract outside; keep x_oc if f(x_oc) ≤ f(x_r), else shrink.
    - f(x_r) ≥ f(x_d): contract inside; keep x_ic if f(x_ic) < f(x_d), else shrink.

    It stops when max |xᵢ − x₀| ≤ xatol and max |f(xᵢ) − f(x₀)| ≤ fatol, as scipy does.

    Parameters
    ----------
    f : callable
        f(x) → float. With ``vectorized=True`` (the default) f must map points (k, d) to
        values (k,) (every ``Objective`` does); the starting simplex and a shrink are then
        evaluated in one call.
    x0 : array_like, shape (d,)
    max_iter, max_evaluations : int, optional
        Budgets; both default to 200·d, as in scipy.
    xatol, fatol : float
        Convergence tolerances on the simplex and on its values.
    adaptive : bool
        Use the dimension-dependent coefficients (see :func:`coefficients`).
    initial : array_like, shape (d + 1, d), optional
        A starting simplex (default :func:`initial_simplex` of x0).
    vectorized : bool

    Returns
    -------
    NelderMeadResult

    Examples
    --------
    >>> from course_lib.objectives import rosenbrock
    >>> res = nelder_mead(rosenbrock(), [-1.2, 1.0], xatol=1e-8, fatol=1e-10)
    >>> bool(np.allclose(res.x, [1.0, 1.0], atol=1e-6)), res.status
    (True, 'converged')
    """
    callable_arg(f, "f")
    x0 = as_points(x0, "x0")
    if x0.ndim != 1:
        raise ValueError(f"x0 must be a single point of shape (d,), got {x0.shape}")
    d = x0.size
    max_iter = 200 * d if max_iter is None else positive_int(max_iter, "max_iter", allow_zero=True)
    max_evals = (
        200 * d if max_evaluations is None else positive_int(max_evaluations, "max_evaluations")
    )
    xatol = float(positive(xatol, "xatol", allow_zero=True))
    fatol = float(positive(fatol, "fatol", allow_zero=True))
    rho, chi, gamma, sigma = coefficients(d, adaptive)
    sim = initial_simplex(x0) if initial is None else as_points(initial, "initial", d)
    if sim.shape != (d + 1, d):
        raise ValueError(f"initial must have shape ({d + 1}, {d}), got {sim.shape}")
    evaluate = _evaluator(f, vectorized)

    def f1(x):
        return float(evaluate(x[None, :])[0])

    fsim = evaluate(sim)
    n_evals = d + 1
    order = np.argsort(fsim, kind="stable")
    sim, fsim = sim[order], fsim[order]
    simplices, values, counts, moves = [sim], [fsim], [n_evals], []
    status = "max_iter"
    while True:
        if _converged(sim, fsim, xatol, fatol):
            status = "converged"
            break
        if len(moves) >= max_iter or n_evals >= max_evals:
            break
        sim, fsim = sim.copy(), fsim.copy()
        xr = reflect(sim, d, rho)
        fr = f1(xr)
        n_evals += 1
        move, new = None, None
        if fr < fsim[0]:
            xe = expand(sim, d, rho, chi)
            fe = f1(xe)
            n_evals += 1
            move, new = ("expand", (xe, fe)) if fe < fr else ("reflect", (xr, fr))
        elif fr < fsim[d - 1]:
            move, new = "reflect", (xr, fr)
        elif fr < fsim[d]:
            xc = contract_outside(sim, d, rho, gamma)
            fc = f1(xc)
            n_evals += 1
            if fc <= fr:
                move, new = "contract_outside", (xc, fc)
        else:
            xc = contract_inside(sim, d, gamma)
            fc = f1(xc)
            n_evals += 1
            if fc < fsim[d]:
                move, new = "contract_inside", (xc, fc)
        if new is None:
            move = "shrink"
            sim = shrink(sim, 0, sigma)
            fsim[1:] = evaluate(sim[1:])
            n_evals += d
        else:
            sim[d], fsim[d] = new
        order = np.argsort(fsim, kind="stable")
        sim, fsim = sim[order], fsim[order]
        simplices.append(sim)
        values.append(fsim)
        counts.append(n_evals)
        moves.append(move)
    return NelderMeadResult(
        x=sim[0],
        fun=float(fsim[0]),
        simplices=np.stack(simplices),
        values=np.stack(values),
        n_evaluations=np.asarray(counts),
        moves=np.asarray(moves, dtype=str),
        status=status,
    )
