"""Automatic differentiation: the chain rule, run by the computer (lecture 14).

**Reverse mode.** A :class:`Tensor` wraps a NumPy array. Every operation on tensors makes a
new node that remembers its *parents* and, for each parent, its local vector-Jacobian
product (VJP): a function g ↦ gᵀ ∂out/∂parent. For v = f(u) the chain rule reads

    ū = v̄ · ∂v/∂u     (the *adjoint* ū = ∂L/∂u of every node u),

summed over every node v that uses u. :func:`backward` visits the nodes in reverse
topological order (every user of u before u) and pushes each node's adjoint to its
parents with their VJPs (:func:`propagate`, one step of the sweep). One forward pass plus
one backward pass give the whole gradient, whatever the number of inputs: each node's VJP
costs a small constant times the node's own operation (the *cheap gradient principle*).

The values are arrays, so one node is a whole vector operation (not one scalar as in
micrograd). NumPy broadcasting stretches an operand to the shape of the result; its VJP
sums the adjoint back over the stretched axes (:func:`unbroadcast`).

Local VJPs (g is the adjoint of the output, shapes as NumPy broadcasts them)::

    a + b, a − b     ḡ → (g, ±g)                 a · b       g → (g·b, g·a)
    a / b            g → (g/b, −g·a/b²)          a ** p      g → g·p·a^(p−1)   (p constant)
    A @ B            g → (g Bᵀ, Aᵀ g)            sum, mean   g → g spread back over the axes
    exp(a) = e       g → g·e                     log(a)      g → g/a
    tanh(a) = t      g → g·(1 − t²)              relu(a)     g → g·1[a > 0]
    sin, cos         g → g·cos a, −g·sin a       maximum(a, b): g to the larger (half each on a tie)

**Forward mode.** A :class:`Dual` carries a value and a *tangent* ẋ (a directional
derivative). Each operation maps (u, u̇) to (v, v̇) with v̇ = ∂v/∂u · u̇: the same local
derivatives, applied in the forward direction (Jacobian-vector products, JVP). One forward
pass gives one directional derivative ∇f·v (:func:`jvp`); a gradient needs one direction
per input, d of them (:func:`forward_gradient` carries all d tangents through one pass,
so its work is d times f's).

The module functions (:func:`exp`, :func:`log`, :func:`sum`, ...) accept a Tensor, a Dual
or a plain array, so one f written with them runs in NumPy (and can be checked with
:mod:`course_lib.derivatives`), in reverse mode and in forward mode.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from course_lib._checks import as_float_array, boolean, broadcast_together, callable_arg

__all__ = [
    "Dual",
    "Tensor",
    "backward",
    "cos",
    "exp",
    "forward_gradient",
    "grad",
    "jvp",
    "log",
    "matmul",
    "maximum",
    "mean",
    "propagate",
    "relu",
    "sin",
    "sum",
    "tanh",
    "topological_order",
    "unbroadcast",
    "value_and_grad",
]


# --------------------------------------------------------------------------- broadcasting


def unbroadcast(g, shape):
    """Sum the adjoint ``g`` over the axes broadcasting added or stretched, back to ``shape``.

    If ``a`` of shape ``shape`` was broadcast to the shape of ``g`` in a forward operation,
    every copy of an entry of ``a`` received part of the adjoint; the chain rule adds them:
    sum over the leading axes broadcasting added, and over every axis where ``a`` had length
    1 (keeping that axis).

    Examples
    --------
    >>> unbroadcast(np.ones((4, 2, 3)), (2, 1)).tolist()
    [[12.0], [12.0]]
    >>> float(unbroadcast(np.ones(5), ()))
    5.0
    """
    g = as_float_array(g, "g", finite=False)  # an adjoint may be inf/nan: summed as it is
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or any(
        isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0 for n in shape
    ):
        raise TypeError(f"shape must be a tuple of non-negative integers, got {shape!r}")
    return _unbroadcast(g, tuple(int(n) for n in shape))


def _unbroadcast(g, shape: tuple):
    """:func:`unbroadcast` without the checks, for the VJPs (shape is an operand's shape)."""
    g = np.asarray(g, dtype=float)
    added = g.ndim - len(shape)
    if added < 0:
        raise ValueError(f"g of shape {g.shape} cannot come from broadcasting shape {shape}")
    if added:
        g = g.sum(axis=tuple(range(added)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    if g.shape != shape:
        raise ValueError(f"g of shape {g.shape} cannot come from broadcasting shape {shape}")
    return g


def _negative_axes(axis, ndim: int):
    """``axis`` as negative indices (so they also find the axis behind leading batch axes)."""
    if axis is None:
        return tuple(range(-ndim, 0))
    axes = (axis,) if isinstance(axis, numbers.Integral) else axis
    if not isinstance(axes, (tuple, list)):
        raise TypeError(f"axis must be an integer, a tuple of integers or None, got {axis!r}")
    out = []
    for ax in axes:
        if isinstance(ax, bool) or not isinstance(ax, numbers.Integral):
            raise TypeError(f"axis must be an integer, a tuple of integers or None, got {axis!r}")
        if not -ndim <= ax < ndim:
            raise ValueError(f"axis {ax} is out of range for an array with {ndim} dimension(s)")
        out.append(int(ax) % ndim - ndim)
    return tuple(out)


def _check_exponent(p):
    """A constant exponent: a float (NumPy's fast path for x**2) or an array."""
    if isinstance(p, (Tensor, Dual)):
        raise TypeError(
            "the exponent p of a ** p must be a constant number or array, not a "
            f"{type(p).__name__} (write exp(b * log(a)) to differentiate through it)"
        )
    p = as_float_array(p, "exponent")
    return float(p) if p.ndim == 0 else p


def _check_matmul(a, b):
    for name, operand in (("a", a), ("b", b)):
        if not 1 <= np.ndim(operand) <= 2:
            raise ValueError(
                f"matmul takes vectors and matrices: {name} must be 1-D or 2-D, got shape "
                f"{np.shape(operand)}"
            )
    if np.shape(a)[-1] != np.shape(b)[0]:
        raise ValueError(
            f"the last axis of a must match the first axis of b in a @ b, got shapes "
            f"{np.shape(a)} and {np.shape(b)}"
        )


# --------------------------------------------------------------------------- reverse mode


class Tensor:
    """A node of the computation graph: a value, its parents and their local VJPs.

    Parameters
    ----------
    value : array_like
        The node's value (converted to a float array).
    name : str, optional
        A label for drawing the graph (inputs: ``"x₁"``, ...).

    Attributes
    ----------
    value : ndarray
    parents : tuple of Tensor
        The nodes this one was computed from.
    vjps : tuple of callable
        ``vjps[k](g)`` is gᵀ ∂self/∂parents[k]: the adjoint g of this node pushed to parent
        k (already summed back to the parent's shape).
    op : str
        The operation that made the node (``"input"`` for a leaf).
    grad : ndarray or None
        The adjoint ∂L/∂self after :func:`backward` (None before, and for constants).

    Examples
    --------
    >>> x = Tensor([1.0, 2.0, 3.0])
    >>> y = (x * x).sum()
    >>> backward(y)
    >>> x.grad.tolist()
    [2.0, 4.0, 6.0]
    """

    __slots__ = ("grad", "name", "op", "parents", "value", "vjps")
    __array_ufunc__ = None  # np.exp(tensor) is refused; ndarray ∘ Tensor uses Tensor's ops

    def __init__(self, value, *, name: str | None = None):
        self.value = as_float_array(value, "value", finite=False)
        self.parents: tuple = ()
        self.vjps: tuple = ()
        self.op = "input"
        self.name = name
        self.grad = None

    @classmethod
    def _node(cls, value, op: str, parents, vjps) -> Tensor:
        """A new node from an operation (no input checks: the operands were checked)."""
        node = cls.__new__(cls)
        node.value = np.asarray(value, dtype=float)
        node.parents, node.vjps = tuple(parents), tuple(vjps)
        node.op, node.name, node.grad = op, None, None
        return node

    # ---- shape

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def ndim(self) -> int:
        return self.value.ndim

    @property
    def size(self) -> int:
        return self.value.size

    def __len__(self) -> int:
        return len(self.value)

    def __repr__(self) -> str:
        label = f", name={self.name!r}" if self.name else ""
        return f"Tensor({self.value!r}, op={self.op!r}{label})"

    # ---- arithmetic (each returns a new node with its local VJPs)

    def __add__(self, other):
        a, b = self, _as_tensor(other)
        return Tensor._node(
            a.value + b.value,
            "+",
            (a, b),
            (lambda g: _unbroadcast(g, a.shape), lambda g: _unbroadcast(g, b.shape)),
        )

    def __radd__(self, other):
        return _as_tensor(other) + self

    def __sub__(self, other):
        a, b = self, _as_tensor(other)
        return Tensor._node(
            a.value - b.value,
            "−",
            (a, b),
            (lambda g: _unbroadcast(g, a.shape), lambda g: _unbroadcast(-g, b.shape)),
        )

    def __rsub__(self, other):
        return _as_tensor(other) - self

    def __neg__(self):
        return Tensor._node(-self.value, "neg", (self,), (lambda g: -g,))

    def __mul__(self, other):
        a, b = self, _as_tensor(other)
        return Tensor._node(
            a.value * b.value,
            "×",
            (a, b),
            (
                lambda g: _unbroadcast(g * b.value, a.shape),
                lambda g: _unbroadcast(g * a.value, b.shape),
            ),
        )

    def __rmul__(self, other):
        return _as_tensor(other) * self

    def __truediv__(self, other):
        a, b = self, _as_tensor(other)
        return Tensor._node(
            a.value / b.value,
            "÷",
            (a, b),
            (
                lambda g: _unbroadcast(g / b.value, a.shape),
                lambda g: _unbroadcast(-g * a.value / b.value**2, b.shape),
            ),
        )

    def __rtruediv__(self, other):
        return _as_tensor(other) / self

    def __pow__(self, p):
        a, p = self, _check_exponent(p)
        return Tensor._node(
            a.value**p,
            f"^{p:g}" if isinstance(p, float) else "^p",
            (a,),
            (lambda g: _unbroadcast(g * p * a.value ** (p - 1), a.shape),),
        )

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __getitem__(self, index):
        a = self

        def vjp(g):
            full = np.zeros(a.shape)
            if _basic(index):  # slices pick every entry at most once
                full[index] += g
            else:  # an index array may repeat an entry: its adjoints add up (chain rule)
                np.add.at(full, index, g)
            return full

        return Tensor._node(a.value[index], "[ ]", (a,), (vjp,))

    def reshape(self, *shape):
        """The same numbers in a new shape; the VJP reshapes the adjoint back."""
        a = self
        return Tensor._node(
            a.value.reshape(*shape), "reshape", (a,), (lambda g: np.reshape(g, a.shape),)
        )

    def sum(self, axis=None, keepdims: bool = False):
        """Σ over ``axis``; the VJP copies the adjoint back along the summed axes."""
        return sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims: bool = False):
        """Mean over ``axis``; the VJP spreads the adjoint evenly back over the axes."""
        return mean(self, axis=axis, keepdims=keepdims)

    # Elementwise functions as methods: the module functions dispatch to them.
    def exp(self):
        e = np.exp(self.value)
        return Tensor._node(e, "exp", (self,), (lambda g: g * e,))

    def log(self):
        a = self
        return Tensor._node(np.log(a.value), "log", (a,), (lambda g: g / a.value,))

    def tanh(self):
        t = np.tanh(self.value)
        return Tensor._node(t, "tanh", (self,), (lambda g: g * (1.0 - t * t),))

    def sin(self):
        a = self
        return Tensor._node(np.sin(a.value), "sin", (a,), (lambda g: g * np.cos(a.value),))

    def cos(self):
        a = self
        return Tensor._node(np.cos(a.value), "cos", (a,), (lambda g: -g * np.sin(a.value),))

    def relu(self):
        gate = self.value > 0  # relu'(0) = 0, as in course_lib.networks and torch
        return Tensor._node(np.maximum(self.value, 0.0), "relu", (self,), (lambda g: g * gate,))


def _basic(index) -> bool:
    """Whether ``index`` is basic indexing (integers, slices, ..., None): no repeats."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        p is None or p is Ellipsis or isinstance(p, (slice, numbers.Integral)) for p in parts
    )


def _as_tensor(value, name: str = "operand") -> Tensor:
    """A Tensor as is; a constant (number or array) as a leaf no gradient flows to."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, Dual):
        raise TypeError(f"{name}: cannot mix a Tensor (reverse mode) and a Dual (forward mode)")
    return Tensor._node(as_float_array(value, name, finite=False), "const", (), ())


def _reduce(a: Tensor, axis, keepdims: bool, op: str, average: bool) -> Tensor:
    """Σ (or the mean) over ``axis``; the VJP copies (or spreads) the adjoint back."""
    axes = _negative_axes(axis, a.ndim)
    total = a.value.sum(axis=axes, keepdims=keepdims)
    count = int(np.prod([a.shape[ax] for ax in axes])) if axes else 1
    factor = 1.0 / count if average else 1.0

    def vjp(g):
        g = np.asarray(g, dtype=float) * factor
        if not keepdims:
            g = np.expand_dims(g, axes)
        return np.broadcast_to(g, a.shape).copy()

    return Tensor._node(total * factor, op, (a,), (vjp,))


def _matmul_tensors(a: Tensor, b: Tensor) -> Tensor:
    _check_matmul(a.value, b.value)
    A = a.value[None, :] if a.ndim == 1 else a.value  # a vector is a 1-row matrix
    B = b.value[:, None] if b.ndim == 1 else b.value  # ... or a 1-column matrix

    def as_matrix(g):  # the adjoint of A @ B, with the axes the vectors dropped put back
        g = np.asarray(g, dtype=float)
        if a.ndim == 1:
            g = g[None, ...]
        if b.ndim == 1:
            g = g[..., None]
        return g

    return Tensor._node(
        a.value @ b.value,
        "@",
        (a, b),
        (
            lambda g: (as_matrix(g) @ B.T).reshape(a.shape),  # Ā = Ḡ Bᵀ
            lambda g: (A.T @ as_matrix(g)).reshape(b.shape),  # B̄ = Aᵀ Ḡ
        ),
    )


def topological_order(output: Tensor) -> list[Tensor]:
    """Every node ``output`` depends on, each after all of its parents (depth-first).

    Examples
    --------
    >>> x = Tensor(2.0, name="x")
    >>> [node.op for node in topological_order(exp(x) * x)]
    ['input', 'exp', '×']
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"output must be a Tensor, got {type(output).__name__}")
    order, seen = [], set()
    stack = [(output, False)]
    while stack:  # an explicit stack: deep graphs (long loops) do not hit the recursion limit
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in reversed(node.parents) if id(p) not in seen)
    return order


def propagate(node: Tensor) -> None:
    """One step of the reverse sweep: add node.grad's share to every parent's adjoint.

    ū += v̄ ∂v/∂u for each parent u of v = node (the chain rule, summed over users).
    """
    if not isinstance(node, Tensor):
        raise TypeError(f"node must be a Tensor, got {type(node).__name__}")
    if node.grad is None:
        raise ValueError(
            "node.grad is None: the node's adjoint must be known before it is pushed to its "
            "parents (backward sets it, users first)"
        )
    _push(node)


def _push(node: Tensor) -> None:
    """:func:`propagate` without the checks (the sweep of :func:`backward`)."""
    for parent, vjp in zip(node.parents, node.vjps, strict=True):
        if parent.op == "const":  # no gradient flows to a constant: skip its VJP
            continue
        share = vjp(node.grad)
        parent.grad = share if parent.grad is None else parent.grad + share


def backward(output: Tensor, seed=None) -> None:
    """Fill ``.grad`` of every node ``output`` depends on with ∂output/∂node (reverse mode).

    The adjoint of the output is ``seed`` (default 1, which needs a scalar output); every
    other adjoint starts at 0; the nodes are visited in reverse topological order, each
    pushing its finished adjoint to its parents (:func:`propagate`).

    Examples
    --------
    >>> x1, x2 = Tensor(2.0), Tensor(5.0)
    >>> backward(log(x1) + x1 * x2 - sin(x2))
    >>> round(float(x1.grad), 6), round(float(x2.grad), 6)   # 1/x₁ + x₂, x₁ − cos x₂
    (5.5, 1.716338)
    """
    order = topological_order(output)
    if seed is None:
        if output.size != 1:
            raise ValueError(
                f"backward needs a scalar output (got shape {output.shape}) or a seed "
                "adjoint of the output's shape"
            )
        seed = np.ones(output.shape)
    seed = as_float_array(seed, "seed")
    if seed.shape != output.shape:
        raise ValueError(f"seed must have the output's shape {output.shape}, got {seed.shape}")
    for node in order:
        node.grad = None  # not known yet: the first share a node receives starts its sum
    output.grad = seed
    for node in reversed(order):
        if node.grad is not None:  # a constant leaf receives no adjoint and has no parents
            _push(node)


def value_and_grad(f: Callable, argnums=0) -> Callable:
    """``f`` → a function returning (f(x), ∇f(x)) by one forward and one backward pass.

    Parameters
    ----------
    f : callable
        f(*args) → a scalar, written with Tensor arithmetic and this module's functions.
    argnums : int or tuple of int
        Which positional arguments to differentiate (the others are passed as given).

    Returns
    -------
    callable
        ``(*args) -> (value, gradient)``; value is a float, gradient an array of the shape of
        the argument (a tuple of them when ``argnums`` is a tuple).

    Examples
    --------
    >>> value, g = value_and_grad(lambda x: (x**3).sum())(np.array([1.0, 2.0]))
    >>> value, g.tolist()
    (9.0, [3.0, 12.0])
    """
    callable_arg(f, "f")
    many = isinstance(argnums, tuple)
    numbers_ = argnums if many else (argnums,)
    for k in numbers_:
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 0:
            raise TypeError(f"argnums must be a non-negative integer or a tuple of them, got {k!r}")

    def wrapped(*args):
        if max(numbers_) >= len(args):
            raise ValueError(
                f"argnums {argnums} asks for argument {max(numbers_)}, got {len(args)}"
            )
        args = list(args)
        inputs = []
        for k in numbers_:
            args[k] = Tensor(as_float_array(args[k], f"argument {k} of f"), name=f"x{k}")
            inputs.append(args[k])
        out = f(*args)
        if not isinstance(out, Tensor):  # f does not depend on its inputs: gradient 0
            value = as_float_array(out, "the value f returns")
            if value.size != 1:
                raise ValueError(f"f must return a scalar, got shape {value.shape}")
            grads = [np.zeros(x.shape) for x in inputs]
        else:
            if out.size != 1:
                raise ValueError(f"f must return a scalar, got shape {out.shape}")
            backward(out)
            value = out.value
            grads = [np.zeros(x.shape) if x.grad is None else x.grad for x in inputs]
        return float(value.reshape(())), (tuple(grads) if many else grads[0])

    return wrapped


def grad(f: Callable, argnums=0) -> Callable:
    """``f`` → ∇f, computed in reverse mode (see :func:`value_and_grad`).

    Examples
    --------
    >>> grad(lambda x: (x * x).sum())(np.array([1.0, -2.0])).tolist()
    [2.0, -4.0]
    >>> float(grad(lambda x: tanh(x))(0.0))
    1.0
    """
    vg = value_and_grad(f, argnums)

    def gradient(*args):
        return vg(*args)[1]

    return gradient


# --------------------------------------------------------------------------- forward mode


class Dual:
    """A value and its tangent(s): forward-mode differentiation with dual numbers.

    For x = (u, u̇), every operation returns (v, v̇) with v̇ = ∂v/∂u · u̇ (the JVP). The
    tangent may carry leading *direction* axes: ``tangent.shape == (*k, *value.shape)``
    propagates k directions in one pass (each costs as much as one more pass).

    Examples
    --------
    >>> x = Dual(3.0, 1.0)          # dx/dx = 1
    >>> y = x * x + 2.0 * x         # y = x² + 2x
    >>> float(y.value), float(y.tangent)   # dy/dx = 2x + 2
    (15.0, 8.0)
    """

    __slots__ = ("tangent", "value")
    __array_ufunc__ = None

    def __init__(self, value, tangent):
        self.value = as_float_array(value, "value", finite=False)
        self.tangent = as_float_array(tangent, "tangent", finite=False)
        lead = self.tangent.ndim - self.value.ndim
        if lead < 0 or self.tangent.shape[lead:] != self.value.shape:
            raise ValueError(
                f"tangent must have shape (*directions, *{self.value.shape}), "
                f"got {self.tangent.shape}"
            )

    @classmethod
    def _make(cls, value, tangent) -> Dual:
        d = cls.__new__(cls)
        d.value, d.tangent = np.asarray(value, dtype=float), np.asarray(tangent, dtype=float)
        return d

    @property
    def shape(self):
        return self.value.shape

    @property
    def ndim(self):
        return self.value.ndim

    def __repr__(self) -> str:
        return f"Dual({self.value!r}, tangent={self.tangent!r})"

    def _lifted(self, ndim: int):
        """The tangent with axes of length 1 between direction and value axes, so that it
        broadcasts like a value of ``ndim`` dimensions."""
        k = self.tangent.ndim - self.value.ndim
        t = self.tangent
        return t.reshape(t.shape[:k] + (1,) * (ndim - self.value.ndim) + self.value.shape)

    def _binary(self, other, value, da, db):
        """Result (value, da·ȧ + db·ḃ): da, db are ∂v/∂a, ∂v/∂b (None for a constant)."""
        a, b = self, _as_dual(other)
        nd = np.ndim(value)
        t = 0.0
        if a is not None:
            t = t + da * a._lifted(nd)
        if b is not None:
            t = t + db * b._lifted(nd)
        return Dual._make(
            value, np.broadcast_to(t, np.shape(t)[: np.ndim(t) - nd] + np.shape(value))
        )

    def __add__(self, other):
        b = _value(other)
        return self._binary(other, self.value + b, 1.0, 1.0)

    __radd__ = __add__

    def __sub__(self, other):
        return self._binary(other, self.value - _value(other), 1.0, -1.0)

    def __rsub__(self, other):
        return (-self) + other

    def __neg__(self):
        return Dual._make(-self.value, -self.tangent)

    def __mul__(self, other):
        b = _value(other)
        return self._binary(other, self.value * b, b, self.value)

    __rmul__ = __mul__

    def __truediv__(self, other):
        b = _value(other)
        return self._binary(other, self.value / b, 1.0 / b, -self.value / b**2)

    def __rtruediv__(self, other):
        a = _value(other)
        out = a / self.value
        return Dual._make(out, self._lifted(np.ndim(out)) * (-a / self.value**2))

    def __pow__(self, p):
        p = _check_exponent(p)
        out = self.value**p
        return Dual._make(out, self._lifted(out.ndim) * (p * self.value ** (p - 1)))

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __getitem__(self, index):
        k = self.tangent.ndim - self.value.ndim
        index = index if isinstance(index, tuple) else (index,)
        return Dual._make(self.value[index], self.tangent[(slice(None),) * k + index])

    def reshape(self, *shape):
        out = self.value.reshape(*shape)
        k = self.tangent.ndim - self.value.ndim
        return Dual._make(out, self.tangent.reshape(self.tangent.shape[:k] + out.shape))

    def sum(self, axis=None, keepdims: bool = False):
        return sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims: bool = False):
        return mean(self, axis=axis, keepdims=keepdims)

    def _unary(self, value, derivative):
        return Dual._make(value, self.tangent * derivative)

    def exp(self):
        e = np.exp(self.value)
        return self._unary(e, e)

    def log(self):
        return self._unary(np.log(self.value), 1.0 / self.value)

    def tanh(self):
        t = np.tanh(self.value)
        return self._unary(t, 1.0 - t * t)

    def sin(self):
        return self._unary(np.sin(self.value), np.cos(self.value))

    def cos(self):
        return self._unary(np.cos(self.value), -np.sin(self.value))

    def relu(self):
        return self._unary(np.maximum(self.value, 0.0), (self.value > 0).astype(float))


def _value(x, name: str = "operand"):
    """The value of a Dual, or a constant as an array (``name`` says which in errors)."""
    if isinstance(x, Dual):
        return x.value
    if isinstance(x, Tensor):
        raise TypeError(f"{name}: cannot mix a Dual (forward mode) and a Tensor (reverse mode)")
    return as_float_array(x, name, finite=False)


def _as_dual(x):
    """A Dual as is; None for a constant (its tangent is zero)."""
    _value(x)
    return x if isinstance(x, Dual) else None


def jvp(f: Callable, x, v):
    """(f(x), ∇f(x)·v) by one forward pass with dual numbers (lecture 14).

    Parameters
    ----------
    f : callable
        Written with arithmetic and this module's functions.
    x : array_like
        The point.
    v : array_like, shape x.shape or (k, *x.shape)
        A direction, or k directions carried through the same pass.

    Returns
    -------
    (value, derivative)
        f(x) and the directional derivative(s) f'(x)·v: shape of f(x), or (k, *f(x).shape).

    Examples
    --------
    >>> value, slope = jvp(lambda x: (x * x).sum(), np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    >>> float(value), float(slope)
    (5.0, 6.0)
    """
    callable_arg(f, "f")
    x = as_float_array(x, "x")
    v = as_float_array(v, "v")
    if v.shape[v.ndim - x.ndim :] != x.shape or v.ndim - x.ndim not in (0, 1):
        raise ValueError(
            f"v must have shape {x.shape} (that of x) or (k, *{x.shape}), got {v.shape}"
        )
    out = f(Dual(x, v))
    if not isinstance(out, Dual):  # f is constant in x
        value = as_float_array(out, "the value f returns")
        return value[()], np.zeros(v.shape[: v.ndim - x.ndim] + value.shape)[()]
    return out.value[()], out.tangent[()]


def forward_gradient(f: Callable, x):
    """∇f(x) in forward mode: the d directional derivatives along e₁, ..., e_d (lecture 14).

    All d tangents travel through one pass (a direction axis of length d), so the work is
    that of d passes: a gradient in forward mode costs d times f, in reverse mode a small
    constant times f.

    Examples
    --------
    >>> forward_gradient(lambda x: (x * x).sum(), np.array([1.0, -2.0])).tolist()
    [2.0, -4.0]
    """
    x = as_float_array(x, "x")
    basis = np.eye(x.size).reshape(x.size, *x.shape)
    _, tangents = jvp(f, x, basis)
    if np.ndim(tangents) != 1:
        raise ValueError(f"f must return a scalar, got shape {np.shape(tangents)[1:]}")
    return tangents.reshape(x.shape)


# --------------------------------------------------------------------------- functions


def _dispatch(x, method: str, numpy_function):
    if isinstance(x, (Tensor, Dual)):
        return getattr(x, method)()
    return numpy_function(as_float_array(x, "x", finite=False))


def exp(x):
    """eˣ, elementwise (VJP g·eˣ).

    Examples
    --------
    >>> float(exp(0.0))
    1.0
    """
    return _dispatch(x, "exp", np.exp)


def log(x):
    """ln x, elementwise (VJP g/x)."""
    return _dispatch(x, "log", np.log)


def tanh(x):
    """tanh x, elementwise (VJP g·(1 − tanh²x))."""
    return _dispatch(x, "tanh", np.tanh)


def sin(x):
    """sin x, elementwise (VJP g·cos x)."""
    return _dispatch(x, "sin", np.sin)


def cos(x):
    """cos x, elementwise (VJP −g·sin x)."""
    return _dispatch(x, "cos", np.cos)


def relu(x):
    """max(0, x), elementwise (VJP g·1[x > 0]: the gate is 0 at the kink x = 0)."""
    return _dispatch(x, "relu", lambda a: np.maximum(a, 0.0))


def maximum(a, b):
    """The elementwise larger of a and b (the adjoint goes to the larger; half each on a tie).

    Examples
    --------
    >>> a, b = Tensor([1.0, 5.0, 2.0]), Tensor([3.0, 4.0, 2.0])
    >>> backward(maximum(a, b).sum())
    >>> a.grad.tolist(), b.grad.tolist()
    ([0.0, 1.0, 0.5], [1.0, 0.0, 0.5])
    """
    _one_mode(a, b)
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        a, b = _as_tensor(a, "a"), _as_tensor(b, "b")
        broadcast_together(a=a.value, b=b.value)
        share_a = (a.value > b.value) + 0.5 * (a.value == b.value)
        return Tensor._node(
            np.maximum(a.value, b.value),
            "max",
            (a, b),
            (
                lambda g: _unbroadcast(g * share_a, a.shape),
                lambda g: _unbroadcast(g * (1.0 - share_a), b.shape),
            ),
        )
    if isinstance(a, Dual) or isinstance(b, Dual):
        va, vb = _value(a, "a"), _value(b, "b")
        broadcast_together(a=va, b=vb)
        share_a = (va > vb) + 0.5 * (va == vb)
        dual = a if isinstance(a, Dual) else b
        return dual._binary(
            b if dual is a else a,
            np.maximum(va, vb),
            share_a if dual is a else 1.0 - share_a,
            1.0 - share_a if dual is a else share_a,
        )
    va, vb = _value(a, "a"), _value(b, "b")
    broadcast_together(a=va, b=vb)
    return np.maximum(va, vb)


def sum(x, axis=None, keepdims: bool = False):  # noqa: A001 - the name students expect
    """Σ over ``axis`` (all axes by default); the VJP copies the adjoint back.

    Examples
    --------
    >>> x = Tensor(np.ones((2, 3)))
    >>> backward(sum(x * 2.0, axis=1).sum())
    >>> x.grad.tolist()
    [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    """
    keepdims = boolean(keepdims, "keepdims")
    if isinstance(x, Tensor):
        return _reduce(x, axis, keepdims, "Σ", False)
    if isinstance(x, Dual):
        axes = _negative_axes(axis, x.ndim)
        return Dual._make(
            x.value.sum(axis=axes, keepdims=keepdims), x.tangent.sum(axis=axes, keepdims=keepdims)
        )
    x = as_float_array(x, "x", finite=False)
    return x.sum(axis=_negative_axes(axis, x.ndim), keepdims=keepdims)


def mean(x, axis=None, keepdims: bool = False):
    """The mean over ``axis`` (all axes by default); the VJP spreads the adjoint evenly.

    Examples
    --------
    >>> float(mean(np.array([1.0, 2.0, 6.0])))
    3.0
    """
    keepdims = boolean(keepdims, "keepdims")
    if isinstance(x, Tensor):
        return _reduce(x, axis, keepdims, "mean", True)
    if not isinstance(x, Dual):
        x = as_float_array(x, "x", finite=False)
    shape = x.shape
    axes = _negative_axes(axis, len(shape))
    count = int(np.prod([shape[ax] for ax in axes])) if axes else 1
    return sum(x, axis=axis, keepdims=keepdims) / count


def matmul(a, b):
    """The matrix product a @ b of vectors and matrices (VJPs Ḡ Bᵀ and Aᵀ Ḡ).

    Examples
    --------
    >>> A = Tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> backward((A @ np.array([1.0, -1.0])).sum())
    >>> A.grad.tolist()
    [[1.0, -1.0], [1.0, -1.0]]
    """
    _one_mode(a, b)
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return _matmul_tensors(_as_tensor(a, "a"), _as_tensor(b, "b"))
    if isinstance(a, Dual) or isinstance(b, Dual):  # (a @ b)˙ = ȧ @ b + a @ ḃ
        va, vb = _value(a, "a"), _value(b, "b")
        _check_matmul(va, vb)
        vectors = (va.ndim == 1, vb.ndim == 1)
        t = 0.0
        if isinstance(a, Dual):
            t = t + _product(a.tangent, vb, *vectors)
        if isinstance(b, Dual):
            t = t + _product(va, b.tangent, *vectors)
        return Dual._make(va @ vb, t)
    va, vb = _value(a, "a"), _value(b, "b")
    _check_matmul(va, vb)
    return va @ vb


def _one_mode(a, b):
    """Refuse a Tensor with a Dual: reverse and forward mode do not mix."""
    kinds = {type(a).__name__, type(b).__name__}
    if {"Tensor", "Dual"} <= kinds:
        raise TypeError(
            f"a and b cannot mix a Tensor (reverse mode) and a Dual (forward mode), got "
            f"{type(a).__name__} and {type(b).__name__}"
        )


def _product(left, right, left_vector: bool, right_vector: bool):
    """left @ right, where a vector operand may carry leading direction axes (forward mode).

    A vector is made a 1-row (left) or 1-column (right) matrix, so that NumPy's matmul
    broadcasts the direction axes, and the added axis is dropped again afterwards.
    """
    L = left[..., None, :] if left_vector else left
    R = right[..., :, None] if right_vector else right
    out = L @ R
    if right_vector:
        out = out[..., 0]
    if left_vector:
        out = out[..., 0] if right_vector else out[..., 0, :]
    return out
