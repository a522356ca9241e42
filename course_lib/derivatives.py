"""Finite differences: derivatives from function values alone (lecture 02).

Also used by lecture 03 (directional derivatives), 07 (Hessians), 09 and 10 (checking an
analytic gradient) and by the benchmarks. For f: R → R and a step h > 0:

    forward    D₊f(x) = (f(x + h) − f(x)) / h           error ≈ (h/2)|f''| + 2ε|f|/h
    backward   D₋f(x) = (f(x) − f(x − h)) / h           error ≈ (h/2)|f''| + 2ε|f|/h
    centered   D₀f(x) = (f(x + h) − f(x − h)) / (2h)    error ≈ (h²/6)|f'''| + ε|f|/h

The first term is the truncation error of Taylor's formula, the second the round-off error
of subtracting two nearly equal numbers, each known to a relative accuracy ε (machine
epsilon, about 2.2e-16). Shrinking h trades the first for the second: that is the V-shaped
error-versus-h curve of lecture 02, and why :func:`default_step` is not "as small as possible".

For f: R^d → R the gradient needs one difference per coordinate. When f is vectorised
(accepts a batch of points of shape (m, d) and returns (m,)), every function here stacks
all the perturbed points into one batch and calls f once per chunk of rows, instead of 2d
times in a Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib._checks import (
    as_float_array,
    batch_values,
    boolean,
    broadcast_together,
    callable_arg,
    number,
    one_of,
    positive,
    positive_int,
    returned_array,
)

EPS = float(np.finfo(float).eps)
SCHEMES = ("forward", "backward", "centered")
TRUNCATION_ORDER = {"forward": 1, "backward": 1, "centered": 2}

# Size of one chunk of stacked points: 64 KiB (8 192 floats), but at least 32 rows. Small
# chunks keep the batch and the temporaries f makes from it in cache (measured: faster than
# one big batch); 32 rows keep the number of calls of f low at large d. At d = 10 000 a
# centered gradient calls f on 32 rows (2.6 MB) at a time instead of building the
# 20 000 × 10 000 batch (1.6 GB); at d ≤ 64 the whole (2d, d) batch is one chunk.
CHUNK_BYTES = 2**16
MIN_CHUNK_ROWS = 32


# ---------------------------------------------------------------------------------------
# Steps and the three schemes for f: R → R
# ---------------------------------------------------------------------------------------


def default_step(x, scheme: str = "centered"):
    """The step h that balances truncation and round-off error (lecture 02).

    For the forward and backward schemes the truncation error is ∝ h and the round-off error
    ∝ ε/h; their sum is smallest when h ∝ ε^(1/2). For the centered scheme the truncation
    error is ∝ h², and h² ∝ ε/h gives h ∝ ε^(1/3). The step scales with the size of x so
    that x + h differs from x in the same leading digits whatever the units of x:

        h = ε^(1/2) · max(1, |x|)   (forward, backward)      ≈ 1.5e-8 at |x| ≤ 1
        h = ε^(1/3) · max(1, |x|)   (centered)               ≈ 6.1e-6 at |x| ≤ 1

    Parameters
    ----------
    x : float or array_like
        The point(s) where the derivative is wanted; vectorised.
    scheme : {"forward", "backward", "centered"}

    Returns
    -------
    float or ndarray
        A step for every entry of x (same shape as x).

    Examples
    --------
    >>> bool(default_step(1.0, "forward") == np.finfo(float).eps ** 0.5)
    True
    >>> default_step([0.5, 100.0]) / np.finfo(float).eps ** (1 / 3)
    array([  1., 100.])
    """
    scheme = one_of(scheme, "scheme", SCHEMES)
    return _step_size(as_float_array(x, "x"), scheme)[()]


def _step_size(x: np.ndarray, scheme: str) -> np.ndarray:
    """ε^(1/3)·max(1, |x|) for "centered", ε^(1/2)·max(1, |x|) otherwise (x validated)."""
    power = 1 / 3 if scheme == "centered" else 1 / 2
    return EPS**power * np.maximum(1.0, np.abs(x))


def _scalar_arguments(f, x, h, scheme):
    """Validated (x, h) arrays for the three scalar schemes."""
    callable_arg(f, "f")
    x = as_float_array(x, "x")
    h = default_step(x, scheme) if h is None else positive(h, "h")
    broadcast_together(x=x, h=h)
    with np.errstate(over="ignore"):
        reach = np.abs(x) + h
    if not np.all(np.isfinite(reach)):
        raise ValueError(
            "x ± h must stay finite: |x| + h overflows float64 (about 1.8e308); "
            "use a smaller h or rescale x"
        )
    return x, h


def _elementwise(f, t):
    """f(t) as a float array of t's shape, or a ValueError saying f must act elementwise."""
    try:
        raw = f(t)
    except TypeError as err:
        if t.ndim == 0:
            raise
        raise TypeError(
            f"f must act elementwise on arrays (np.sin, not math.sin): called with an array "
            f"of shape {t.shape}, it raised {type(err).__name__}: {err}"
        ) from err
    value = returned_array(raw, "f")
    if value.shape != t.shape:
        raise ValueError(
            "f must act elementwise (an array in, an array of the same shape out): "
            f"called with shape {t.shape}, it returned shape {value.shape}"
        )
    return value


def forward_difference(f, x, h=None):
    """Forward difference D₊f(x) = (f(x + h) − f(x)) / h, error O(h) (lecture 02).

    Parameters
    ----------
    f : callable
        A scalar function R → R acting elementwise on arrays (``np.sin``, a ufunc, ...).
    x : float or array_like
        Point(s) where the derivative is wanted.
    h : float or array_like, optional
        Step(s) > 0, broadcast against x (an array of h gives the error-versus-h curve in
        one call). Default :func:`default_step` ``(x, "forward")``.

    Returns
    -------
    float or ndarray
        The approximation of f'(x), of the broadcast shape of x and h.

    Examples
    --------
    >>> round(float(forward_difference(np.exp, 0.0, 1e-3)), 6)
    1.0005
    """
    x, h = _scalar_arguments(f, x, h, "forward")
    return ((_elementwise(f, x + h) - _elementwise(f, x)) / h)[()]


def backward_difference(f, x, h=None):
    """Backward difference D₋f(x) = (f(x) − f(x − h)) / h, error O(h) (lecture 02).

    Parameters and Returns as :func:`forward_difference` (default step
    :func:`default_step` ``(x, "backward")``).

    Examples
    --------
    >>> round(float(backward_difference(np.exp, 0.0, 1e-3)), 6)
    0.9995
    """
    x, h = _scalar_arguments(f, x, h, "backward")
    return ((_elementwise(f, x) - _elementwise(f, x - h)) / h)[()]


def centered_difference(f, x, h=None):
    """Centered difference D₀f(x) = (f(x + h) − f(x − h)) / (2h), error O(h²) (lecture 02).

    The even terms of the Taylor expansions of f(x ± h) cancel, so the error starts at
    (h²/6) f'''(x) instead of (h/2) f''(x): one more correct digit for every decade of h.

    Parameters and Returns as :func:`forward_difference` (default step
    :func:`default_step` ``(x, "centered")``).

    Examples
    --------
    >>> round(float(centered_difference(np.exp, 0.0, 1e-3)), 8)
    1.00000017
    >>> centered_difference(np.sin, 0.0, np.array([1e-1, 1e-2])).round(6)
    array([0.998334, 0.999983])
    """
    x, h = _scalar_arguments(f, x, h, "centered")
    return ((_elementwise(f, x + h) - _elementwise(f, x - h)) / (2 * h))[()]


_SCALAR_SCHEMES = {
    "forward": forward_difference,
    "backward": backward_difference,
    "centered": centered_difference,
}


# ---------------------------------------------------------------------------------------
# The stacked batch of perturbed points, evaluated in chunks
# ---------------------------------------------------------------------------------------


def _point(x, name: str = "x") -> np.ndarray:
    """A finite, non-empty float point of shape (d,)."""
    x = as_float_array(x, name, ndim_min=1)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{name} must be a point of shape (d,) with d >= 1, got shape {x.shape}")
    return x


def _coordinate_steps(h, x, scheme) -> np.ndarray:
    """One step per coordinate: the given scalar / (d,) array, or default_step(x_i)."""
    if h is None:
        return _step_size(x, scheme)
    h = positive(h, "h")
    if h.shape not in ((), x.shape):
        raise ValueError(f"h must be a scalar or have shape {x.shape} like x, got {h.shape}")
    return np.broadcast_to(h, x.shape).astype(float)


def _stencil(h: np.ndarray, scheme: str):
    """Which direction each row of the stacked batch moves along, and by how much.

    Row r of the batch is x + step[r] · u[index[r]] for k directions u with steps h (k,):
    centered: the 2k rows x + hᵢuᵢ then x − hᵢuᵢ; forward/backward: x itself once, then the
    k rows x ± hᵢuᵢ.
    """
    k = np.arange(h.size)
    if scheme == "centered":
        return np.concatenate([k, k]), np.concatenate([h, -h])
    sign = 1.0 if scheme == "forward" else -1.0
    return np.concatenate([[0], k]), np.concatenate([[0.0], sign * h])


def _combine(values: np.ndarray, h: np.ndarray, scheme: str) -> np.ndarray:
    """The difference quotients from the values at the stacked batch (first axis)."""
    h = h.reshape(h.shape + (1,) * (values.ndim - 1))
    k = h.shape[0]
    if scheme == "centered":
        return (values[:k] - values[k:]) / (2 * h)
    if scheme == "forward":
        return (values[1:] - values[0]) / h
    return (values[0] - values[1:]) / h


def _perturbed_points(x, cols, deltas) -> np.ndarray:
    """Rows x + Σⱼ deltas[:, j] e_{cols[:, j]} (one or two coordinates moved per row)."""
    points = np.empty((cols.shape[0], x.size))
    points[...] = x
    rows = np.arange(cols.shape[0])
    for j in range(cols.shape[1]):
        points[rows, cols[:, j]] += deltas[:, j]
    return points


def _chunk_bounds(n_rows: int, size: int, avoid) -> list[tuple[int, int]]:
    """(start, stop) of the chunks; the first chunk's length is not in ``avoid``.

    A scalar-only f that indexes x[0], x[1] returns a (d,) array when handed a (d, d) batch,
    which would look like a valid answer; keeping the first chunk's length away from d (and
    from the output size) lets the shape check catch it.
    """
    first = min(size, n_rows)
    while first > 1 and first in avoid:
        first -= 1
    edges = [0, *range(first, n_rows, size), n_rows]
    return list(zip(edges[:-1], edges[1:], strict=True))


def _call_batch(fun, points, out_shape, *, checked):
    """fun(points) of shape (n, *out_shape), or None if fun does not map the batch row by row.

    ``checked`` is False for the first chunk: rows of the result are then compared with
    single-point calls (:func:`course_lib._checks.batch_values`); later chunks of a function
    that passed only need the right shape.
    """
    if not checked:
        return batch_values(fun, points, out_shape)
    try:
        values = np.asarray(fun(points), dtype=float)
    except Exception:  # a one-point function may fail in any way on a 2-D input
        return None
    return values if values.shape == (len(points), *out_shape) else None


def _call_rows(fun, points, out_shape, name):
    """fun at each row of points in a Python loop (the fallback for scalar-only functions)."""
    values = [returned_array(fun(p), name) for p in points]
    bad = next((v.shape for v in values if v.shape != out_shape), None)
    if bad is not None:
        expected = "a scalar" if out_shape == () else f"an array of shape {out_shape}"
        raise ValueError(
            f"{name} must return {expected} at a point of shape ({points.shape[1]},), "
            f"got shape {bad}"
        )
    return np.array(values).reshape(len(points), *out_shape)


def _evaluate(fun, make_points, n_rows, d, out_shape, *, vectorized, chunk_size, name):
    """fun at every row of the stacked batch, shape (n_rows, *out_shape).

    ``make_points(start, stop)`` builds rows start..stop of the batch, so at most one chunk
    of points exists at a time. With ``vectorized`` the first chunk decides: if fun raises
    on it, returns the wrong shape, or returns rows that differ from fun called on those
    points alone (a one-point function that mixes the rows of a batch), every row is
    evaluated one at a time instead.
    """
    if chunk_size is None:
        size = max(MIN_CHUNK_ROWS, CHUNK_BYTES // (8 * d))
    else:
        size = positive_int(chunk_size, "chunk_size")
    out = np.empty((n_rows, *out_shape))
    for start, stop in _chunk_bounds(n_rows, size, avoid={d, *out_shape}):
        points = make_points(start, stop)
        values = _call_batch(fun, points, out_shape, checked=start > 0) if vectorized else None
        if values is None:
            if vectorized and start > 0:
                raise ValueError(
                    f"{name} returned a wrong shape on a later chunk of points; "
                    "it must map (m, d) to (m, ...) consistently"
                )
            vectorized = False
            values = _call_rows(fun, points, out_shape, name)
        out[start:stop] = values
    return out


def _coordinate_derivatives(fun, x, h, scheme, out_shape, *, vectorized, chunk_size, name):
    """Row i: the difference quotient of fun along the coordinate eᵢ, shape (d, *out_shape)."""
    d = x.size
    small = chunk_size is None and 2 * d <= max(MIN_CHUNK_ROWS, CHUNK_BYTES // (8 * d))
    if vectorized and scheme == "centered" and small and 2 * d not in out_shape:
        # The common case, without the general chunking: one (2d, d) batch, the d rows
        # x + hᵢeᵢ then the d rows x − hᵢeᵢ, written through a strided view of the diagonals.
        points = np.empty((2 * d, d))
        points[...] = x
        points.reshape(2, d * d)[:, :: d + 1] += np.stack([h, -h])
        values = _call_batch(fun, points, out_shape, checked=False)
        if values is not None:
            return _combine(values, h, scheme)
        vectorized = False  # checked and refused: do not try the batch a second time
    index, step = _stencil(h, scheme)

    def make_points(start, stop):
        return _perturbed_points(x, index[start:stop, None], step[start:stop, None])

    values = _evaluate(
        fun, make_points, index.size, x.size, out_shape,
        vectorized=vectorized, chunk_size=chunk_size, name=name,
    )  # fmt: skip
    return _combine(values, h, scheme)


def _directions(v, d: int):
    """Directions as a (k, d) array, and whether a single (d,) vector was given."""
    v = as_float_array(v, "v", ndim_min=1)
    if v.ndim > 2 or v.shape[-1] != d:
        raise ValueError(f"v must have shape ({d},) or (k, {d}) to match x, got shape {v.shape}")
    return np.atleast_2d(v), v.ndim == 1


def _direction_steps(h, x, V, scheme) -> np.ndarray:
    """One step per direction: default_step(‖x‖∞) / ‖v‖∞, so the largest coordinate moves
    by the step :func:`default_step` would take for it; zero directions get h = 1."""
    if h is not None:
        h = positive(h, "h")
        if h.shape not in ((), (V.shape[0],)):
            raise ValueError(
                f"h must be a scalar or have shape ({V.shape[0]},), one per direction, "
                f"got shape {h.shape}"
            )
        return np.broadcast_to(h, V.shape[:1]).astype(float)
    size = np.max(np.abs(V), axis=1)
    scale = _step_size(np.max(np.abs(x)), scheme)
    return scale / np.where(size > 0, size, scale)


def _along_directions(fun, x, V, h, scheme, out_shape, *, vectorized, name):
    """Row j: the difference quotient of fun along the direction V[j], shape (k, *out)."""
    index, step = _stencil(h, scheme)

    def make_points(start, stop):
        return x + step[start:stop, None] * V[index[start:stop]]

    values = _evaluate(
        fun, make_points, index.size, x.size, out_shape,
        vectorized=vectorized, chunk_size=None, name=name,
    )  # fmt: skip
    return _combine(values, h, scheme)


# ---------------------------------------------------------------------------------------
# Gradient, Jacobian, Hessian
# ---------------------------------------------------------------------------------------


def gradient(f, x, h=None, *, scheme="centered", vectorized=True, chunk_size=None):
    """Finite-difference gradient of f: R^d → R at x (lectures 02, 03, 09, 10).

    Component i is the scalar scheme along the coordinate eᵢ, e.g. centered:

        ∂f/∂xᵢ(x) ≈ (f(x + hᵢeᵢ) − f(x − hᵢeᵢ)) / (2hᵢ),   hᵢ = default_step(xᵢ).

    The cost is 2d evaluations of f (d + 1 forward or backward): a numerical gradient is d
    times dearer than a function value, which is why the course computes gradients by hand
    or by backpropagation.

    When f is vectorised (maps a batch (m, d) to (m,)), the perturbed points are stacked
    into one batch, (2d, d) for centered and (d + 1, d) for forward/backward (x itself
    once), and f is called once per chunk of at most ``chunk_size`` rows: once in all when
    the batch is small. If f is scalar-only, pass ``vectorized=False``; otherwise it is
    detected automatically: if f raises, or returns the wrong shape, on the first chunk, or
    if the first and last rows of its batched answer differ from f called at those two
    points alone (``scipy.optimize.rosen_der`` returns a (m, d) array for a (m, d) batch,
    but differentiates along the wrong axis), the gradient falls back to a Python loop
    calling f at one point at a time. The check costs two extra calls of f; the course's
    own objectives are known to be vectorised and skip it.

    Parameters
    ----------
    f : callable
        f(x) for x of shape (d,) returns a scalar; vectorised f also accepts (m, d).
    x : array_like, shape (d,)
        The point.
    h : float or array_like of shape (d,), optional
        Step(s) > 0; default :func:`default_step` of each coordinate.
    scheme : {"centered", "forward", "backward"}
    vectorized : bool
        Try calling f on stacked batches (default) or always loop over points.
    chunk_size : int, optional
        Most rows per call of f. Default: as many as fit in 64 KiB (``CHUNK_BYTES``) but at
        least 32 (``MIN_CHUNK_ROWS``), so d = 10 000 never builds the 1.6 GB (2d, d) batch.

    Returns
    -------
    ndarray, shape (d,)

    Examples
    --------
    >>> f = lambda x: np.sum(x**2, axis=-1)      # vectorised: (m, d) -> (m,)
    >>> gradient(f, np.array([1.0, -2.0, 3.0])).round(8)
    array([ 2., -4.,  6.])
    """
    callable_arg(f, "f")
    vectorized = boolean(vectorized, "vectorized")
    scheme = one_of(scheme, "scheme", SCHEMES)
    x = _point(x)
    h = _coordinate_steps(h, x, scheme)
    return _coordinate_derivatives(
        f, x, h, scheme, (), vectorized=vectorized, chunk_size=chunk_size, name="f"
    )


def jacobian(F, x, h=None, *, scheme="centered", vectorized=True, chunk_size=None):
    """Finite-difference Jacobian J_ki = ∂F_k/∂x_i of F: R^d → R^m, shape (m, d).

    Column i is the scheme applied to F along eᵢ, e.g. (F(x + hᵢeᵢ) − F(x − hᵢeᵢ)) / (2hᵢ).
    F is called once at x to learn m, then on the stacked batch exactly as in
    :func:`gradient` (vectorised F maps (n, d) to (n, m); scalar-only F falls back to a
    loop). Lectures 07 and 10.

    Parameters
    ----------
    F : callable
        F(x) for x of shape (d,) returns an array of shape (m,).
    x : array_like, shape (d,)
    h, scheme, vectorized, chunk_size
        As in :func:`gradient`.

    Returns
    -------
    ndarray, shape (m, d)

    Examples
    --------
    >>> F = lambda x: np.stack([x[..., 0] * x[..., 1], x[..., 0] ** 2], axis=-1)
    >>> jacobian(F, np.array([2.0, 3.0])).round(6)
    array([[3., 2.],
           [4., 0.]])
    """
    callable_arg(F, "F")
    vectorized = boolean(vectorized, "vectorized")
    scheme = one_of(scheme, "scheme", SCHEMES)
    x = _point(x)
    h = _coordinate_steps(h, x, scheme)
    value = returned_array(F(x), "F")
    if value.ndim != 1:
        raise ValueError(
            f"F must return a 1-D array (m,) at a point of shape {x.shape}, got shape "
            f"{value.shape}; for a scalar function use gradient"
        )
    columns = _coordinate_derivatives(
        F, x, h, scheme, value.shape, vectorized=vectorized, chunk_size=chunk_size, name="F"
    )
    return columns.T


def hessian(f, x, h=None, *, vectorized=True, chunk_size=None):
    """Hessian of f: R^d → R from function values alone, shape (d, d) (lecture 07).

    One formula for every pair i ≤ j (for i = j it is the second difference with step 2h):

        H_ij ≈ [f(x + hᵢeᵢ + hⱼeⱼ) − f(x + hᵢeᵢ − hⱼeⱼ)
                − f(x − hᵢeᵢ + hⱼeⱼ) + f(x − hᵢeᵢ − hⱼeⱼ)] / (4hᵢhⱼ),

    error O(h²) + O(ε/h²), so the default step is hᵢ = ε^(1/4) · max(1, |xᵢ|). H_ji is set
    to H_ij, so the result is exactly symmetric. The 2d(d + 1) points are evaluated as one
    stacked batch (chunked), or point by point for a scalar-only f (see :func:`gradient`).
    When an analytic gradient is available, :func:`hessian_from_gradient` is cheaper and
    more accurate.

    Parameters
    ----------
    f : callable
        Scalar function of x (d,), vectorised over (m, d) if possible.
    x : array_like, shape (d,)
    h : float or array_like of shape (d,), optional
    vectorized, chunk_size
        As in :func:`gradient`.

    Returns
    -------
    ndarray, shape (d, d)

    Examples
    --------
    >>> f = lambda p: p[..., 0] ** 2 * p[..., 1]
    >>> hessian(f, np.array([1.0, 2.0])).round(5)
    array([[4., 2.],
           [2., 0.]])
    """
    callable_arg(f, "f")
    vectorized = boolean(vectorized, "vectorized")
    x = _point(x)
    if h is None:
        h = EPS**0.25 * np.maximum(1.0, np.abs(x))
    else:
        h = _coordinate_steps(h, x, "centered")
    i, j = np.triu_indices(x.size)
    corners = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]])
    cols = np.tile(np.stack([i, j], axis=-1), (4, 1))
    deltas = (corners[:, None, :] * np.stack([h[i], h[j]], axis=-1)).reshape(-1, 2)

    def make_points(start, stop):
        return _perturbed_points(x, cols[start:stop], deltas[start:stop])

    values = _evaluate(
        f, make_points, len(cols), x.size, (),
        vectorized=vectorized, chunk_size=chunk_size, name="f",
    ).reshape(4, -1)  # fmt: skip
    upper = (values[0] - values[1] - values[2] + values[3]) / (4 * h[i] * h[j])
    H = np.empty((x.size, x.size))
    H[i, j] = upper
    H[j, i] = upper
    return H


def hessian_from_gradient(grad, x, h=None, *, vectorized=True, chunk_size=None):
    """Hessian by centered differences of an analytic gradient, symmetrised (lecture 07).

    Row i of J is (∇f(x + hᵢeᵢ) − ∇f(x − hᵢeᵢ)) / (2hᵢ) ≈ ∂∇f/∂xᵢ, and the result is
    ½(J + Jᵀ), the nearest symmetric matrix. When grad is vectorised ((m, d) → (m, d)) it is
    called once on the stacked (2d, d) batch (in chunks at large d), not 2d times.

    Parameters
    ----------
    grad : callable
        ∇f(x) for x of shape (d,) returns shape (d,).
    x : array_like, shape (d,)
    h : float or array_like of shape (d,), optional
        Default :func:`default_step` ``(x, "centered")``.
    vectorized, chunk_size
        As in :func:`gradient`.

    Returns
    -------
    ndarray, shape (d, d), symmetric

    Examples
    --------
    >>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> hessian_from_gradient(lambda x: x @ A, np.array([0.5, -1.0])).round(8)
    array([[2., 1.],
           [1., 3.]])
    """
    callable_arg(grad, "grad")
    vectorized = boolean(vectorized, "vectorized")
    x = _point(x)
    h = _coordinate_steps(h, x, "centered")
    J = _coordinate_derivatives(
        grad, x, h, "centered", x.shape,
        vectorized=vectorized, chunk_size=chunk_size, name="grad",
    )  # fmt: skip
    return 0.5 * (J + J.T)


def hessian_vector_product(grad, x, v, h=None, *, vectorized=True):
    """Hessian-vector product Hv ≈ (∇f(x + hv) − ∇f(x − hv)) / (2h), without forming H.

    Two gradient evaluations a product, whatever d: this is how the top eigenvalue of a
    large Hessian is found (:func:`course_lib.curvature.top_eigenvalue`, lectures 04 and 07).
    The default h = default_step(‖x‖∞) / ‖v‖∞ scales the step to v, so the largest
    coordinate of the perturbation hv is the step a centered difference would take.

    Parameters
    ----------
    grad : callable
        ∇f(x) for x of shape (d,) returns shape (d,); if it is vectorised ((m, d) → (m, d))
        the 2k gradients are one call (for k ≥ 2 directions, checked against two single
        calls unless grad belongs to an ``Objective``; see :func:`gradient`).
    x : array_like, shape (d,)
    v : array_like, shape (d,) or (k, d)
        One direction, or k directions (k products at once).
    h : float or array_like of shape (k,), optional

    Returns
    -------
    ndarray, shape like v

    Examples
    --------
    >>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> hessian_vector_product(lambda x: x @ A, np.zeros(2), np.array([1.0, 1.0])).round(8)
    array([3., 4.])
    """
    callable_arg(grad, "grad")
    vectorized = boolean(vectorized, "vectorized")
    x = _point(x)
    V, single = _directions(v, x.size)
    h = _direction_steps(h, x, V, "centered")
    HV = _along_directions(grad, x, V, h, "centered", x.shape, vectorized=vectorized, name="grad")
    return HV[0] if single else HV


def directional_derivative(f, x, v, h=None, *, scheme="centered", vectorized=True):
    """Directional derivative D_v f(x) = d/dt f(x + tv) at t = 0 ≈ ∇f(x)·v (lecture 03).

    Centered: (f(x + hv) − f(x − hv)) / (2h); forward and backward as for one variable.
    Many directions at once: v of shape (k, d) gives k derivatives from one batch of points,
    which is how lecture 03 compares the gradient with every other unit direction.

    Parameters
    ----------
    f : callable
        Scalar function of x (d,), vectorised over (m, d) if possible.
    x : array_like, shape (d,)
    v : array_like, shape (d,) or (k, d)
    h : float or array_like of shape (k,), optional
        Default default_step(‖x‖∞, scheme) / ‖v‖∞ for each direction.
    scheme : {"centered", "forward", "backward"}
    vectorized : bool

    Returns
    -------
    float or ndarray of shape (k,)

    Examples
    --------
    >>> f = lambda x: np.sum(x**2, axis=-1)
    >>> round(float(directional_derivative(f, np.array([1.0, 2.0]), np.array([1.0, 0.0]))), 8)
    2.0
    """
    callable_arg(f, "f")
    vectorized = boolean(vectorized, "vectorized")
    scheme = one_of(scheme, "scheme", SCHEMES)
    x = _point(x)
    V, single = _directions(v, x.size)
    h = _direction_steps(h, x, V, scheme)
    D = _along_directions(f, x, V, h, scheme, (), vectorized=vectorized, name="f")
    return D[0] if single else D


# ---------------------------------------------------------------------------------------
# Checking gradients, and the error-versus-step curve
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class GradientCheck:
    """The comparison of an analytic gradient with a centered-difference one.

    Attributes
    ----------
    numerical, analytic : ndarray, shape (d,)
    relative_error : ndarray, shape (d,)
        |a − n| / max(|a| + |n|, floor) for every coordinate.
    max_relative_error : float
    passed : bool
        ``max_relative_error <= tolerance``.
    tolerance : float
    """

    numerical: np.ndarray
    analytic: np.ndarray
    relative_error: np.ndarray
    max_relative_error: float
    passed: bool
    tolerance: float

    def __repr__(self) -> str:
        worst = int(np.argmax(self.relative_error))
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"GradientCheck({verdict}: max relative error {self.max_relative_error:.2e} "
            f"(tolerance {self.tolerance:.0e}) at coordinate {worst} of "
            f"{self.relative_error.size}: analytic {self.analytic[worst]:.6g}, "
            f"numerical {self.numerical[worst]:.6g})"
        )


def gradient_check(f, grad, x, h=None, *, tol=1e-6, floor=1.0) -> GradientCheck:
    """Compare an analytic gradient with centered differences (lectures 02, 09, 10).

    The error per coordinate is

        rᵢ = |aᵢ − nᵢ| / max(|aᵢ| + |nᵢ|, floor),

    a relative error where the derivative is large and an absolute one where it is smaller
    than ``floor``: a derivative that is exactly zero is then not flagged for the round-off
    noise (~1e-10) in its numerical estimate. The check passes when max rᵢ ≤ ``tol``; a
    wrong gradient typically gives rᵢ of order 1e-2 to 1.

    Parameters
    ----------
    f : callable
        The scalar function (vectorised or not, see :func:`gradient`).
    grad : callable
        The analytic gradient to check, x (d,) ↦ (d,).
    x : array_like, shape (d,)
    h : float or array_like, optional
        Steps for the centered differences.
    tol : float
        Largest accepted error (default 1e-6).
    floor : float
        Below this size of |a| + |n| the error is measured absolutely (default 1).

    Returns
    -------
    GradientCheck

    Examples
    --------
    >>> f = lambda x: np.sum(np.sin(x), axis=-1)
    >>> gradient_check(f, np.cos, np.array([0.3, 1.2])).passed
    True
    """
    callable_arg(grad, "grad")
    tol = float(positive(tol, "tol"))
    floor = float(positive(floor, "floor"))
    numerical = gradient(f, x, h)
    analytic = returned_array(grad(_point(x)), "grad")
    if analytic.shape != numerical.shape:
        raise ValueError(
            f"grad must return shape {numerical.shape} like x, got shape {analytic.shape}"
        )
    scale = np.maximum(np.abs(analytic) + np.abs(numerical), floor)
    error = np.abs(analytic - numerical) / scale
    worst = float(np.max(error))
    return GradientCheck(numerical, analytic, error, worst, bool(worst <= tol), tol)


@dataclass(frozen=True)
class StepErrorCurve:
    """The error |D_h f(x) − f'(x)| of a scheme for many steps h (lecture 02).

    Attributes
    ----------
    steps, errors : ndarray, shape (n,)
    scheme : str
    truncation_order : int
        p in "truncation error ∝ h^p": 1 forward/backward, 2 centered.
    best_step : float
        The measured argmin of the errors.
    predicted_best_step : float
        :func:`default_step` at x: ε^(1/2)·max(1, |x|) or ε^(1/3)·max(1, |x|).
    """

    steps: np.ndarray
    errors: np.ndarray
    scheme: str
    truncation_order: int
    best_step: float
    predicted_best_step: float


def error_versus_step(f, df, x, steps=None, *, scheme="centered") -> StepErrorCurve:
    """The V-shaped error-versus-h curve of a difference scheme at one point (lecture 02).

    errors[j] = |D_{h_j} f(x) − f'(x)| for all steps at once (one call of the scheme with
    an array of h). For large h the truncation error ∝ h^p dominates (slope p on log-log
    axes); for small h the round-off error ∝ ε/h (slope −1); the bottom of the V sits near
    :func:`default_step`.

    Parameters
    ----------
    f : callable
        Scalar function acting elementwise.
    df : callable or float
        The exact derivative f' (evaluated at x), or its value at x.
    x : float
    steps : array_like, shape (n,), optional
        Steps h > 0; default 161 values from 1e-16 to 1 (20 a decade).
    scheme : {"centered", "forward", "backward"}

    Returns
    -------
    StepErrorCurve

    Examples
    --------
    >>> curve = error_versus_step(np.sin, np.cos, 1.0, scheme="forward")
    >>> 1e-9 < curve.best_step < 1e-7
    True
    """
    scheme = one_of(scheme, "scheme", SCHEMES)
    x = as_float_array(x, "x")
    if x.ndim != 0:
        raise ValueError(f"x must be a single number, got shape {x.shape}")
    steps = np.logspace(-16, 0, 161) if steps is None else positive(steps, "steps")
    if steps.ndim != 1:
        raise ValueError(f"steps must be a 1-D array of step sizes, got shape {steps.shape}")
    exact = float(returned_array(df(x), "df")) if callable(df) else float(as_float_array(df, "df"))
    errors = np.abs(_SCALAR_SCHEMES[scheme](f, x, steps) - exact)
    return StepErrorCurve(
        steps=steps,
        errors=errors,
        scheme=scheme,
        truncation_order=TRUNCATION_ORDER[scheme],
        best_step=float(steps[np.argmin(errors)]),
        predicted_best_step=float(default_step(x, scheme)),
    )


def fitted_order(steps, errors, *, low=None, high=None) -> float:
    """The slope p of log(error) against log(h), fitted by least squares (lecture 02).

    In the truncation regime error ≈ C h^p, so log error = log C + p log h: the slope is the
    order of the scheme (≈ 1 forward, ≈ 2 centered). Restrict to low ≤ h ≤ high to stay out
    of the round-off regime; zero errors (exact cancellations) are left out.

    Parameters
    ----------
    steps, errors : array_like, shape (n,)
    low, high : float, optional
        The range of h to fit over (default: all).

    Returns
    -------
    float

    Examples
    --------
    >>> h = np.logspace(-4, -2, 9)
    >>> round(fitted_order(h, 3 * h**2), 10)
    2.0
    """
    steps = positive(steps, "steps")
    errors = positive(errors, "errors", allow_zero=True)
    if steps.ndim != 1 or errors.shape != steps.shape:
        raise ValueError(
            f"steps and errors must be 1-D of the same length, got {steps.shape} and {errors.shape}"
        )
    low = 0.0 if low is None else number(low, "low")
    high = np.inf if high is None else number(high, "high", finite=False)
    keep = (errors > 0) & (steps >= low) & (steps <= high)
    u, w = np.log(steps[keep]), np.log(errors[keep])
    if np.unique(u).size < 2:
        raise ValueError(
            "need at least two distinct steps with a non-zero error between low and high "
            f"(low={low}, high={high})"
        )
    u0 = u - u.mean()
    return float(np.sum(u0 * (w - w.mean())) / np.sum(u0**2))
