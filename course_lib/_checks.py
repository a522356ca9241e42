"""Input checks shared by the public functions: clear errors at the boundary.

Every check names the argument it looked at and says what was expected, so a student
who passes the wrong thing reads what to change, not a traceback from deep inside NumPy.
"""

from __future__ import annotations

import numbers
import weakref

import numpy as np


def as_float_array(value, name: str, *, ndim_min: int = 0, finite: bool = True) -> np.ndarray:
    """Convert ``value`` to a float array, or raise a TypeError/ValueError naming ``name``."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}") from err
    if arr.ndim < ndim_min:
        raise ValueError(
            f"{name} must have at least {ndim_min} dimension(s), got shape {arr.shape}"
        )
    if finite and not np.isfinite(arr).all():  # the method: no fromnumeric wrapper
        raise ValueError(f"{name} must contain only finite values (no nan or inf)")
    return arr


def as_points(x, name: str, dim: int | None = None, *, finite: bool = True) -> np.ndarray:
    """A float array of points of shape (..., d); checks the last axis against ``dim``."""
    arr = as_float_array(x, name, ndim_min=1, finite=finite)
    if dim is not None and arr.shape[-1] != dim:
        raise ValueError(
            f"{name} must have last axis of length {dim} (points in R^{dim}), got shape {arr.shape}"
        )
    return arr


def number(value, name: str, *, finite: bool = True) -> float:
    """A single real number as a float, or a TypeError/ValueError naming ``name``."""
    if isinstance(value, (str, bytes, bool)) or value is None:
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}") from err
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a single number, got shape {arr.shape}")
    if finite and not np.isfinite(arr):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(arr)


def boolean(value, name: str) -> bool:
    """``value`` if it is True or False (a NumPy bool too), else a TypeError naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def axis_arg(value, name: str, ndim: int) -> int:
    """An integer axis of an array with ``ndim`` dimensions (negative counts from the end)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer axis, got {type(value).__name__}")
    if not -ndim <= value < ndim:
        raise ValueError(f"{name} must be an axis of an array of {ndim} dimension(s), got {value}")
    return int(value)


def positive(value, name: str, *, allow_zero: bool = False) -> np.ndarray:
    """A float array of strictly positive (or non-negative) finite values."""
    arr = as_float_array(value, name)
    bad = arr < 0 if allow_zero else arr <= 0
    if bad.any():
        what = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return arr


def in_unit_interval(value, name: str) -> np.ndarray:
    """A float array with every value in [0, 1)."""
    arr = as_float_array(value, name)
    if ((arr < 0) | (arr >= 1)).any():
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}")
    return arr


def positive_int(value, name: str, *, allow_zero: bool = False) -> int:
    """A Python int that is positive (or non-negative)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    low = 0 if allow_zero else 1
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def one_of(value, name: str, options) -> str:
    """``value`` if it is one of ``options``, else a ValueError listing them."""
    if value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value


def returned_array(value, name: str) -> np.ndarray:
    """What a user's function ``name`` returned, as a float array, or a TypeError naming it."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must return numbers, got {type(value).__name__}")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must return numbers, got {type(value).__name__}") from err


def broadcast_together(**arrays) -> tuple[int, ...]:
    """The common shape of the named arrays, or a ValueError naming them and their shapes."""
    shapes = {name: np.shape(a) for name, a in arrays.items()}
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        listed = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise ValueError(f"the shapes of {listed} do not broadcast together") from None


def callable_arg(value, name: str):
    """``value`` if it is callable, else a TypeError."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")
    return value


def objective_arg(value, name: str = "objective"):
    """``value`` if it is a :class:`course_lib.objectives.Objective`, else a TypeError.

    Methods that need a gradient take an Objective (value, gradient and Hessian together);
    a plain function has no gradient to call, so it is refused here, by name, instead of
    failing later with an AttributeError from inside the method.
    """
    from course_lib.objectives import Objective  # objectives imports this module

    if not isinstance(value, Objective):
        raise TypeError(
            f"{name} must be a course_lib.objectives.Objective (value, gradient and Hessian), "
            f"got {type(value).__name__}; build one with course_lib.objectives.Objective("
            "name, value, gradient, hessian, dim) or use a ready-made objective"
        )
    return value


def as_generator(seed, name: str = "seed") -> np.random.Generator:
    """A ``numpy.random.Generator`` from a Generator or an integer seed."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer seed or a numpy.random.Generator, got {type(seed).__name__}"
        )
    return np.random.default_rng(int(seed))


def as_dataset(X, y) -> tuple[np.ndarray, np.ndarray]:
    """A design matrix X of shape (n, d) and targets y of shape (n,), checked together."""
    X = as_float_array(X, "X", ndim_min=2)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n, d), got shape {X.shape}")
    y = as_float_array(y, "y", ndim_min=1)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X {X.shape}, got {y.shape}")
    return X, y


# ---------------------------------------------------------------------------------------
# Callables that may or may not accept a batch of points
# ---------------------------------------------------------------------------------------

# Functions whose batch behaviour is known (the course's own objectives) carry this
# attribute set to True; every other callable is checked before its batch result is used.
ROWWISE = "rowwise"


def mark_rowwise(fun):
    """Mark ``fun`` as mapping a batch (m, d) row by row, so its batches need no check."""
    setattr(fun, ROWWISE, True)
    return fun


def _agree(batched, single) -> bool:
    """Whether a row of a batched result equals the one-point result, up to rounding."""
    if batched.shape != single.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        same = (batched == single) | (np.isnan(batched) & np.isnan(single))
        finite = np.isfinite(batched) & np.isfinite(single)
        scale = max(np.max(np.abs(batched), where=finite, initial=0.0),
                    np.max(np.abs(single), where=finite, initial=0.0))  # fmt: skip
        close = finite & (np.abs(batched - single) <= 1e-8 * scale)
    return bool(np.all(same | close))


def finite_sum_callable(fun, name: str, w0, X, y, *, gradient: bool):
    """``fun`` if it follows the finite-sum protocol on a batch of weight vectors, else an error.

    The protocol (:mod:`course_lib.stochastic`): ``fun(w, X, y)`` for w of shape (K, p)
    returns (K,) (a loss) or (K, p) (a gradient), row k for w[k]. The methods always pass a
    batch, so a function written for one w (d,) fails deep inside NumPy, or, worse, returns
    the right shape with the rows mixed. Checked once, on the first rows of the data, by
    comparing a batch of two weight vectors with the two single calls.
    """
    if getattr(fun, ROWWISE, False):
        return fun
    rows = slice(0, min(len(X), 8))
    Xs, ys = X[rows], y[rows]
    W = np.stack([w0, 0.5 * w0 + 0.25])  # two different weight vectors
    out = W.shape if gradient else W.shape[:1]
    what = f"({len(W)}, {w0.size})" if gradient else f"({len(W)},)"
    problem = None
    try:
        batched = returned_array(fun(W, Xs, ys), name)
        singles = [returned_array(fun(w, Xs, ys), name) for w in W]
    except (TypeError, ValueError, IndexError) as err:  # what a one-w function hits on a batch
        problem = f"it raised {type(err).__name__}: {err}"
    else:
        if batched.shape != out:
            problem = f"it returned shape {batched.shape}"
        elif not all(_agree(batched[k], s.reshape(batched[k].shape)) for k, s in enumerate(singles)
                     if s.size == batched[k].size):  # fmt: skip
            problem = "row k of its answer is not its answer at w[k] alone"
    if problem is not None:
        raise ValueError(
            f"{name} must follow the finite-sum protocol {name}(w, X, y) for a batch of "
            f"weight vectors w of shape (K, {w0.size}), returning shape {what} for K = 2: "
            f"{problem}"
        )
    return fun


# What the check of batch_values found for a function, by (d, output shape): True (maps a
# batch row by row) or False (does not). Weak keys: the entry goes with the function.
_BATCH_VERDICTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _verdict(fun, key):
    try:
        return _BATCH_VERDICTS.get(fun, {}).get(key)
    except TypeError:  # not weak-referenceable (a ufunc, a bound method's temporary): no memo
        return None


def _remember(fun, key, verdict: bool):
    try:
        _BATCH_VERDICTS.setdefault(fun, {})[key] = verdict
    except TypeError:
        pass


def batch_values(fun, points: np.ndarray, out_shape: tuple = ()):
    """fun(points) of shape (m, *out_shape) if fun treats each row as a point, else None.

    A function written for one point can return the right shape on a batch and still be
    wrong: ``scipy.optimize.rosen_der`` maps (m, d) to (m, d), but it differentiates along
    the first axis, mixing the m points. Shape cannot tell, so the first and the last row of
    the batched result are compared with f called on those two points alone (two extra
    calls). Any disagreement, an exception or a wrong shape means "not vectorised": the
    caller then evaluates point by point. Functions marked with :func:`mark_rowwise` skip
    the comparison. A batch of at most two rows is never tried (the check would cost as much
    as the loop). The verdict is remembered for the function (and d, and the output shape),
    so calling it again, as an iterative method or a benchmark does, costs no more checks.
    """
    key = (points.shape[-1], tuple(out_shape))
    known = True if getattr(fun, ROWWISE, False) else _verdict(fun, key)
    if known is False or (len(points) <= 2 and known is None):
        return None
    try:
        values = np.asarray(fun(points), dtype=float)
    except Exception:  # a one-point function may fail in any way on a 2-D input
        values = None
    if values is None or values.shape != (len(points), *out_shape):
        if known is None:
            _remember(fun, key, False)
        return None
    if known:
        return values
    for i in (0, len(points) - 1):
        try:
            single = np.asarray(fun(points[i]), dtype=float)
        except Exception:  # a batch-only function: nothing to compare with, keep the batch
            break
        if single.shape == out_shape and not _agree(values[i], single):
            _remember(fun, key, False)
            return None
    _remember(fun, key, True)
    return values
