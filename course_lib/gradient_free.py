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

from course_lib._checks import (
    as_float_array,
    as_points,
    batch_values,
    boolean,
    callable_arg,
    number,
    positive,
    positive_int,
)

MOVES = ("reflect", "expand", "contract_outside", "contract_inside", "shrink")


# --------------------------------------------------------------------------- the moves
def _simplex(simplex, name="simplex"):
    """A float array of k ≥ 2 vertices in ℝᵈ (d ≥ 1), shape (k, d), or a clear error."""
    sim = as_float_array(simplex, name, ndim_min=2)
    if sim.ndim != 2 or sim.shape[0] < 2 or sim.shape[1] < 1:
        raise ValueError(
            f"{name} must be an array of vertices of shape (d + 1, d) with d >= 1, "
            f"got shape {sim.shape}"
        )
    return sim


def _vertex_index(index, sim, name):
    """An integer index of a vertex of ``sim`` (negative counts from the end)."""
    if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"{name} must be an integer vertex index, got {type(index).__name__}")
    k = sim.shape[0]
    if not -k <= index < k:
        raise ValueError(f"{name} must index one of the {k} vertices, got {index}")
    return int(index)


def _move_args(simplex, index, index_name, **coefficients):
    """Validated simplex, vertex index and coefficients of a simplex move."""
    sim = _simplex(simplex)
    i = _vertex_index(index, sim, index_name)
    return sim, i, *(number(v, k) for k, v in coefficients.items())


def centroid(simplex, worst_index):
    """x̄ = (1/d) Σ_{i ≠ worst} xᵢ, the centroid of all vertices but the worst (lecture 11).

    Examples
    --------
    >>> centroid(np.array([[0.0, 0.0], [2.0, 0.0], [5.0, 5.0]]), 2).tolist()
    [1.0, 0.0]
    """
    simplex, worst_index = _move_args(simplex, worst_index, "worst_index")
    return _centroid(simplex, worst_index)


def _centroid(sim, worst):
    """The centroid of all vertices but ``worst`` (arguments already checked)."""
    return (np.sum(sim, axis=0) - sim[worst]) / (sim.shape[0] - 1)


def _along(sim, worst, t):
    """x̄ + t(x̄ − x_worst): every move but the shrink, for its own t (arguments checked).

    reflect t = ρ, expand t = ρχ, contract outside t = ργ, contract inside t = −γ.
    """
    c = _centroid(sim, worst)
    return c + t * (c - sim[worst])


def reflect(simplex, worst_index, rho=1.0):
    """x_r = x̄ + ρ(x̄ − x_worst): the worst vertex mirrored through the centroid.

    Examples
    --------
    >>> reflect(np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0]]), 2).tolist()
    [1.0, -1.0]
    """
    simplex, worst_index, rho = _move_args(simplex, worst_index, "worst_index", rho=rho)
    return _along(simplex, worst_index, rho)


def expand(simplex, worst_index, rho=1.0, chi=2.0):
    """x_e = x̄ + ρχ(x̄ − x_worst): go further when the reflection was the best point yet.

    Examples
    --------
    >>> expand(np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0]]), 2).tolist()
    [1.0, -2.0]
    """
    simplex, worst_index, rho, chi = _move_args(
        simplex, worst_index, "worst_index", rho=rho, chi=chi
    )
    return _along(simplex, worst_index, rho * chi)


def contract_outside(simplex, worst_index, rho=1.0, gamma=0.5):
    """x_oc = x̄ + ργ(x̄ − x_worst): halfway out, when the reflection was only a little better.

    Examples
    --------
    >>> contract_outside(np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0]]), 2).tolist()
    [1.0, -0.5]
    """
    simplex, worst_index, rho, gamma = _move_args(
        simplex, worst_index, "worst_index", rho=rho, gamma=gamma
    )
    return _along(simplex, worst_index, rho * gamma)


def contract_inside(simplex, worst_index, gamma=0.5):
    """x_ic = x̄ − γ(x̄ − x_worst): pull the worst vertex in, when reflecting did not help.

    Examples
    --------
    >>> contract_inside(np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0]]), 2).tolist()
    [1.0, 0.5]
    """
    simplex, worst_index, gamma = _move_args(simplex, worst_index, "worst_index", gamma=gamma)
    return _along(simplex, worst_index, -gamma)


def shrink(simplex, best_index, sigma=0.5):
    """xᵢ ← x_best + σ(xᵢ − x_best) for every vertex: the simplex shrinks towards its best.

    Examples
    --------
    >>> shrink(np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0]]), 0).tolist()
    [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
    """
    simplex, best_index, sigma = _move_args(simplex, best_index, "best_index", sigma=sigma)
    return _shrink(simplex, best_index, sigma)


def _shrink(sim, best, sigma):
    """x_best + σ(xᵢ − x_best) for every vertex (arguments already checked)."""
    return sim[best] + sigma * (sim - sim[best])


def _start(x0):
    """x0 as a finite point of shape (d,) with d ≥ 1."""
    x0 = as_points(x0, "x0")
    if x0.ndim != 1 or x0.size == 0:
        raise ValueError(f"x0 must be a single point of shape (d,) with d >= 1, got {x0.shape}")
    return x0


def initial_simplex(x0, step=0.05, zero_step=0.00025):
    """x₀ and d points that each move one coordinate of x₀ by 5% (lecture 11).

    Vertex i (1 ≤ i ≤ d) is x₀ with coordinate i − 1 multiplied by 1 + ``step``, or set to
    ``zero_step`` where it is 0: the same start as scipy's Nelder–Mead.

    Examples
    --------
    >>> initial_simplex(np.array([1.0, 0.0])).tolist()
    [[1.0, 0.0], [1.05, 0.0], [1.0, 0.00025]]
    """
    x0 = _start(x0)
    step, zero_step = number(step, "step"), number(zero_step, "zero_step")
    if step == 0 or zero_step == 0:
        raise ValueError(
            f"step and zero_step must be non-zero (a flat simplex cannot move), got "
            f"step={step}, zero_step={zero_step}"
        )
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
    if boolean(adaptive, "adaptive"):
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
        Function evaluations used so far by the method (d + 1 for the starting simplex).
        Checking that a vectorised f which is not an ``Objective`` maps a batch point by
        point costs two more calls at the start, not counted here.
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
    """f on points (k, d) → (k,), and f at one point (d,) → float.

    With ``vectorized`` the first batch decides, as in :mod:`course_lib.derivatives`: f is
    called on the batch, and the result is used only if it has shape (k,) and its first and
    last entries equal f at those points alone (:func:`course_lib._checks.batch_values`).
    Otherwise f is called point by point for the rest of the run.
    """
    state = {"batch": bool(vectorized), "checked": False}

    def one(p):
        value = np.asarray(f(p), dtype=float)
        if value.size != 1:
            raise ValueError(
                f"f must return a single number at a point of shape {p.shape}, "
                f"got an array of shape {value.shape}"
            )
        return float(value.reshape(()))

    def many(pts):
        if state["batch"]:
            if state["checked"]:
                values = np.asarray(f(pts), dtype=float)
                if values.shape == (len(pts),):
                    return values
                raise ValueError(
                    f"f must map points (k, d) to values (k,) consistently: called with shape "
                    f"{pts.shape}, it returned shape {values.shape}"
                )
            values = batch_values(f, pts)
            if values is not None and len(pts) > 2:
                state["checked"] = True
                return values
            if len(pts) > 2:
                state["batch"] = False
        return np.array([one(p) for p in pts])

    return many, one


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
        f(x) → float for x of shape (d,). With ``vectorized=True`` (the default) f is also
        tried on points (k, d) → values (k,) (every ``Objective`` does), so the starting
        simplex and a shrink are one call each; a one-point f is detected (it raises, returns
        the wrong shape, or disagrees with single calls) and then called point by point.
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
        False: always call f at one point at a time.

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
    vectorized = boolean(vectorized, "vectorized")
    x0 = _start(x0)
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
    evaluate, f1 = _evaluator(f, vectorized)

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
        xr = _along(sim, d, rho)  # the moves, without re-checking their arguments
        fr = f1(xr)
        n_evals += 1
        move, new = None, None
        if fr < fsim[0]:
            xe = _along(sim, d, rho * chi)
            fe = f1(xe)
            n_evals += 1
            move, new = ("expand", (xe, fe)) if fe < fr else ("reflect", (xr, fr))
        elif fr < fsim[d - 1]:
            move, new = "reflect", (xr, fr)
        elif fr < fsim[d]:
            xc = _along(sim, d, rho * gamma)
            fc = f1(xc)
            n_evals += 1
            if fc <= fr:
                move, new = "contract_outside", (xc, fc)
        else:
            xc = _along(sim, d, -gamma)
            fc = f1(xc)
            n_evals += 1
            if fc < fsim[d]:
                move, new = "contract_inside", (xc, fc)
        if new is None:
            move = "shrink"
            sim = _shrink(sim, 0, sigma)
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
