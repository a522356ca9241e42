"""One result type for every iterative method, and the loop that fills it.

Every iterative method of the course (gradient descent, momentum, Newton, SGD, projected
gradient descent) returns a :class:`Trajectory`. A method may run K configurations at once
(K learning rates, K momenta, K seeds): the batch axes lead, so iterates have shape
``(*batch, T + 1, d)``. Runs that stop early (converged or diverged) are frozen: their last
iterate is repeated until the slowest run stops, so ``iterates[..., -1, :]`` is always the
final answer and ``stopped_at`` tells where each run really ended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from course_lib._checks import as_points

CONVERGED = "converged"
DIVERGED = "diverged"
MAX_ITER = "max_iter"
STATUSES = (CONVERGED, DIVERGED, MAX_ITER)


@dataclass(frozen=True)
class Trajectory:
    """The record of an iterative method.

    Attributes
    ----------
    iterates : ndarray, shape (*batch, T + 1, d)
        x_0, x_1, ..., x_T. A run that stopped at step s < T repeats x_s afterwards.
    losses : ndarray, shape (*batch, T + 1)
        f(x_t) for every stored iterate.
    grad_norms : ndarray, shape (*batch, T + 1)
        ||∇f(x_t)|| (for SGD: the full-batch gradient norm at the end of each epoch).
    status : ndarray of str, shape (*batch)
        ``"converged"`` (gradient norm below tol), ``"diverged"`` (exploding loss, or a step
        that would leave the finite numbers: that step is not recorded, so the iterates,
        losses and gradient norms stay finite) or ``"max_iter"``.
    stopped_at : ndarray of int, shape (*batch)
        The step at which each run stopped (T for runs that hit ``max_iter``).
    method : str
        Name of the method that produced it.
    params : dict
        The settings of the run (learning rate, momentum, ...), as passed.
    """

    iterates: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    status: np.ndarray
    stopped_at: np.ndarray
    method: str = ""
    params: dict = field(default_factory=dict)

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Shape of the leading batch axes (``()`` for a single run)."""
        return self.status.shape

    @property
    def final(self) -> np.ndarray:
        """The last iterate of each run, shape (*batch, d)."""
        return self.iterates[..., -1, :]

    @property
    def final_loss(self) -> np.ndarray:
        """The loss at the last iterate of each run, shape (*batch)."""
        return self.losses[..., -1]

    @property
    def best(self) -> np.ndarray:
        """The stored iterate with the smallest loss of each run, shape (*batch, d).

        Equal to :attr:`final` for a run that decreased monotonically; for a run that
        oscillated or diverged it is the best point the run ever reached.

        Examples
        --------
        >>> t = Trajectory(np.array([[3.0], [1.0], [2.0]]), np.array([9.0, 1.0, 4.0]),
        ...                np.zeros(3), np.array("diverged"), np.array(2))
        >>> t.best.tolist()
        [1.0]
        """
        losses = np.where(np.isnan(self.losses), np.inf, self.losses)
        index = np.argmin(losses, axis=-1)[..., None, None]
        return np.take_along_axis(self.iterates, index, axis=-2)[..., 0, :]

    @property
    def converged(self) -> np.ndarray:
        """Boolean array: which runs converged."""
        return self.status == CONVERGED

    @property
    def diverged(self) -> np.ndarray:
        """Boolean array: which runs diverged."""
        return self.status == DIVERGED

    def distance_to(self, point) -> np.ndarray:
        """‖x_t − x*‖ for every stored iterate, shape (*batch, T + 1) (lectures 04, 06, 07).

        Examples
        --------
        >>> t = Trajectory(np.array([[3.0, 4.0], [0.0, 1.0]]), np.zeros(2), np.zeros(2),
        ...                np.array("max_iter"), np.array(1))
        >>> t.distance_to([0.0, 0.0]).tolist()
        [5.0, 1.0]
        """
        point = as_points(point, "point", self.iterates.shape[-1])
        return np.linalg.norm(self.iterates - point, axis=-1)

    def run(self, index) -> Trajectory:
        """One run of a batch, trimmed to the steps it really took.

        ``index`` is an int (one batch axis) or a tuple (several). The result equals what
        the method returns when called with that run's settings alone.
        """
        if not self.batch_shape:
            raise ValueError("run(index) needs a batched trajectory; this one is a single run")
        status = self.status[index]
        if np.ndim(status) != 0:
            raise ValueError(
                f"index must select a single run of batch shape {self.batch_shape}, got {index!r}"
            )
        stop = int(self.stopped_at[index])
        params = {
            k: (np.asarray(v)[index] if np.ndim(v) and np.shape(v) == self.batch_shape else v)
            for k, v in self.params.items()
        }
        return Trajectory(
            iterates=self.iterates[index][: stop + 1],
            losses=self.losses[index][: stop + 1],
            grad_norms=self.grad_norms[index][: stop + 1],
            status=np.asarray(status),
            stopped_at=np.asarray(stop),
            method=self.method,
            params=params,
        )

    def __repr__(self) -> str:
        if not self.batch_shape:
            return (
                f"Trajectory({self.method}: {self.status.item()} after {int(self.stopped_at)} "
                f"steps, loss {float(self.final_loss):.6g})"
            )
        counts = {s: int(np.sum(self.status == s)) for s in STATUSES}
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        return f"Trajectory({self.method}: batch {self.batch_shape}, {summary})"


def _norm(g: np.ndarray) -> np.ndarray:
    """‖g‖ over the last axis: np.linalg.norm's own formula (same bits) without its checks."""
    return np.sqrt(np.add.reduce(g * g, axis=-1))


def settle(
    xs: np.ndarray,
    fs: np.ndarray,
    gns: np.ndarray,
    *,
    tol: float,
    method: str,
    params: dict,
    divergence_factor: float = 1e10,
) -> Trajectory:
    """The Trajectory :func:`iterate` would return, from one run computed to the end first.

    A fast loop that cannot afford :func:`iterate`'s checks at every step (``networks.train``
    on its default loss) computes every point x_t, value f(x_t) and gradient norm
    ||∇f(x_t)|| of a single run, t = 0..T, overflow silenced; this applies iterate's rules
    afterwards: the run stops at the first t with ||∇f(x_t)|| <= tol (converged) or
    f(x_t) > f(x_0) + divergence_factor (1 + |f(x_0)|) (diverged), or at t − 1 when x_t,
    f(x_t) or ||∇f(x_t)|| is not finite (diverged: that step is not taken, and x_{t−1} is
    recorded once more in its slot, as iterate freezes a stopped run), and the record is
    cut there. One difference is left: iterate judges the gradient itself, this its norm, so
    a finite gradient whose norm overflows (entries beyond ~1e154) counts as lost here; a run
    that gets there has passed the divergence limit long before.

    Parameters
    ----------
    xs : ndarray, shape (T + 1, d)
    fs, gns : ndarray, shape (T + 1,)
    """
    fs = np.asarray(fs, float)
    gns = np.asarray(gns, float)
    with np.errstate(over="ignore", invalid="ignore"):
        finite = np.isfinite(fs) & np.isfinite(gns) & np.isfinite(xs).all(-1)
        limit = fs[0] + divergence_factor * (1.0 + np.abs(fs[0]))
        converged = gns <= tol
        diverged = fs > limit
    diverged[0] |= not (np.isfinite(fs[0]) and np.isfinite(xs[0]).all())  # as iterate: not g
    events = converged | diverged
    lost = ~finite
    lost[0] = False  # x_0 is checked above, at the top of the first iteration
    first_event = int(np.argmax(events)) if events.any() else len(fs)
    first_lost = int(np.argmax(lost)) if lost.any() else len(fs)
    keep = np.arange(len(fs))
    if first_lost <= first_event:  # the step into t = first_lost is not taken
        stop = first_lost - 1 if first_lost < len(fs) else len(fs) - 1
        status = DIVERGED if first_lost < len(fs) else MAX_ITER
        # iterate records the frozen x_stop once more in the slot of the lost step
        keep = np.minimum(keep[: first_lost + 1], stop)
    else:
        stop = first_event
        status = DIVERGED if diverged[stop] else CONVERGED
        keep = keep[: stop + 1]
    return Trajectory(
        iterates=xs[keep],
        losses=fs[keep],
        grad_norms=gns[keep],
        status=np.asarray(status),
        stopped_at=np.asarray(stop),
        method=method,
        params=params,
    )


def iterate(
    step: Callable[[np.ndarray, np.ndarray, int], np.ndarray],
    x0: np.ndarray,
    loss: Callable[[np.ndarray], np.ndarray],
    gradient: Callable[[np.ndarray], np.ndarray],
    *,
    max_iter: int,
    tol: float,
    method: str,
    params: dict,
    divergence_factor: float = 1e10,
    value_and_gradient: Callable | None = None,
) -> Trajectory:
    """Run ``x_{t+1} = step(x_t, ∇f(x_t), t)`` for a batch of runs, with stopping rules.

    ``x0`` has shape (*batch, d). All runs advance together in one vectorized loop over
    iterations; a run stops when ||∇f(x_t)|| <= tol (converged) or when f(x_t) exceeds
    f(x_0) + divergence_factor * (1 + |f(x_0)|) (diverged). A step whose point, value or
    gradient is not finite is not taken: the run stops as diverged at the iterate before
    it, so a method never loses the last finite point it reached. A stopped run is frozen.
    Overflow inside a diverging run is expected and silenced here: the status reports it
    instead of a NumPy warning.

    ``step`` receives the current iterates of every run (stopped ones included: their
    result is discarded) and may keep its own state (a velocity) in a closure.
    ``value_and_gradient(x)``, if given, returns (loss(x), gradient(x)) in one call (see
    :meth:`course_lib.objectives.Objective.value_and_gradient`).
    """
    if value_and_gradient is None:

        def value_and_gradient(x):
            return loss(x), gradient(x)

    batch_shape = x0.shape[:-1]
    d = x0.shape[-1]
    xs = np.empty((max_iter + 1, *batch_shape, d))
    fs = np.empty((max_iter + 1, *batch_shape))
    gns = np.empty((max_iter + 1, *batch_shape))
    stopped_at = np.full(batch_shape, max_iter, dtype=int)
    status = np.full(batch_shape, MAX_ITER, dtype=object)

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        x = np.array(x0, dtype=float)
        f, g = value_and_gradient(x)
        gn = _norm(g)
        limit = f + divergence_factor * (1.0 + np.abs(f))
        active = np.ones(batch_shape, dtype=bool)
        all_active = True  # == active.all(), kept as a Python bool: no reduction a step
        xs[0], fs[0], gns[0] = x, f, gn
        t = 0
        while True:
            # From t = 1 on, x and f are finite (a step that is not is never taken), so a
            # run stops only on gn <= tol or f > limit: test that cheaply before the
            # bookkeeping, which a step rarely needs.
            if t == 0 or (active & ((gn <= tol) | (f > limit))).any():
                done_conv = active & (gn <= tol)
                done_div = active & ~(np.isfinite(f) & (f <= limit) & np.isfinite(x).all(-1))
                status[done_conv] = CONVERGED
                status[done_div] = DIVERGED
                stopped_at[done_conv | done_div] = t
                active &= ~(done_conv | done_div)
                all_active = bool(active.all())
            if t == max_iter or not (all_active or active.any()):
                break
            x_new = step(x, g, t)
            f_new, g_new = value_and_gradient(x_new)
            # A step that leaves the finite numbers is not taken: the run stops (diverged)
            # at the last finite iterate, which it keeps, instead of recording ±inf or nan.
            # The usual case, every run active and finite, is settled by three reductions
            # over whole arrays; only otherwise is each run judged on its own.
            if (
                all_active
                and np.isfinite(f_new).all()
                and np.isfinite(x_new).all()
                and np.isfinite(g_new).all()
            ):  # no run to freeze, no copies
                x, f, g = x_new, f_new, g_new
            else:
                finite = np.isfinite(f_new) & (np.isfinite(x_new) & np.isfinite(g_new)).all(-1)
                lost = active & ~finite
                status[lost] = DIVERGED
                stopped_at[lost] = t
                active &= ~lost
                all_active = bool(active.all())
                x = np.where(active[..., None], x_new, x)
                f = np.where(active, f_new, f)
                g = np.where(active[..., None], g_new, g)
            gn = _norm(g)
            t += 1
            xs[t], fs[t], gns[t] = x, f, gn

    status = status.astype(str)
    return Trajectory(
        iterates=np.moveaxis(xs[: t + 1], 0, -2),
        losses=np.moveaxis(fs[: t + 1], 0, -1),
        grad_norms=np.moveaxis(gns[: t + 1], 0, -1),
        status=status,
        stopped_at=stopped_at if batch_shape else np.asarray(int(stopped_at)),
        method=method,
        params=params,
    )
