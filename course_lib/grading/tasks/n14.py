"""Public cases for ``14_automatic_differentiation``.

The references are written independently of :mod:`course_lib.autodiff`: the VJP of
broadcasting by an explicit loop over the entries of the broadcast array, the VJPs of the
matrix product from its Jacobian written entry by entry (``einsum`` with identity matrices),
the tape's gradient by **forward** mode (dual numbers written out here, one pass per input),
and the logistic loss's gradient from its formula.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from course_lib.grading.checker import Case, register

_ENGINE = (
    "course_lib.autodiff.unbroadcast",
    "course_lib.autodiff.matmul",
    "course_lib.autodiff._matmul_tensors",
    "course_lib.autodiff.backward",
    "course_lib.autodiff.propagate",
    "course_lib.autodiff.grad",
    "course_lib.autodiff.value_and_grad",
    "course_lib.autodiff.jvp",
    "course_lib.autodiff.forward_gradient",
    "course_lib.derivatives.gradient",
    "course_lib.derivatives.jacobian",
    "course_lib.derivatives.centered_difference",
)


# --------------------------------------------------------------------------- references


def _unbroadcast(g, shape):
    """Σ of g over the entries that broadcasting mapped onto each entry of ``shape``."""
    g = np.asarray(g, dtype=float)
    out = np.zeros(shape)
    padded = (1,) * (g.ndim - len(shape)) + tuple(shape)
    for index in itertools.product(*(range(n) for n in g.shape)):
        source = tuple(0 if n == 1 else i for i, n in zip(index, padded, strict=True))
        out[source[g.ndim - len(shape) :]] += g[index]
    return out


def _matmul_vjp(G, A, B):
    """(Ā, B̄) from the Jacobian of C = AB entry by entry: ∂C_ij/∂A_kl = δ_ik B_lj, ..."""
    n, k = A.shape
    m = B.shape[1]
    dC_dA = np.einsum("ik,lj->ijkl", np.eye(n), B)  # (n, m, n, k)
    dC_dB = np.einsum("ik,jl->ijkl", A, np.eye(m))  # (n, m, k, m)
    return np.einsum("ij,ijkl->kl", G, dC_dA), np.einsum("ij,ijkl->kl", G, dC_dB)


_DERIVATIVES = {
    "sin": (math.sin, math.cos),
    "exp": (math.exp, math.exp),
    "log": (math.log, lambda v: 1.0 / v),
}


def _tape_forward_mode(tape, inputs):
    """(value, gradient) of a tape by forward mode: one pass of dual numbers per input."""
    gradient = []
    for seed in range(len(inputs)):
        values, tangents, k = [], [], 0
        for op, *args in tape:
            if op == "input":
                values.append(float(inputs[k]))
                tangents.append(1.0 if k == seed else 0.0)
                k += 1
            elif op == "add":
                values.append(values[args[0]] + values[args[1]])
                tangents.append(tangents[args[0]] + tangents[args[1]])
            elif op == "mul":
                a, b = args
                values.append(values[a] * values[b])
                tangents.append(tangents[a] * values[b] + values[a] * tangents[b])
            else:
                fn, derivative = _DERIVATIVES[op]
                values.append(fn(values[args[0]]))
                tangents.append(derivative(values[args[0]]) * tangents[args[0]])
        gradient.append(tangents[-1])
    return values[-1], np.array(gradient)


def _logistic(w, X, y):
    """L(w) = (1/n) Σ log(1 + exp(−yᵢ xᵢ·w)) and ∇L = −(1/n) Σ yᵢ σ(−yᵢ xᵢ·w) xᵢ."""
    margins = y * (X @ w)
    value = float(np.mean(np.logaddexp(0.0, -margins)))
    weights = 1.0 / (1.0 + np.exp(margins))  # σ(−m)
    return value, -(X.T @ (y * weights)) / len(y)


# --------------------------------------------------------------------------- tasks


@register(
    "14.unbroadcast",
    name="unbroadcast",
    hint="Sum g over its first g.ndim − len(shape) axes; then, for every axis where "
    "shape has length 1 but g does not, sum over it with keepdims=True.",
    blocks=_ENGINE,
)
def _unbroadcast_cases():
    rng = np.random.default_rng(140)
    g = rng.normal(size=(4, 3, 5))
    return [
        Case(
            "shape (3, 1) added to a (2, 3, 4) result",
            (np.ones((2, 3, 4)), (3, 1)),
            expected=np.full((3, 1), 8.0),
        ),  # fmt: skip
        Case("a scalar (shape ()) added to 5 numbers", (np.arange(5.0), ()), expected=10.0),
        Case("no broadcasting: g itself", (g, (4, 3, 5)), expected=g),
        Case("a bias of shape (5,) on (4, 3, 5)", (g, (5,)), expected=_unbroadcast(g, (5,))),
        Case("shape (4, 1, 5)", (g, (4, 1, 5)), expected=_unbroadcast(g, (4, 1, 5))),
    ]


@register(
    "14.matmul_vjp",
    name="matmul_vjp",
    hint="For C = A @ B with adjoint G = ∂L/∂C: ∂L/∂A = G @ B.T and ∂L/∂B = A.T @ G.",
    blocks=_ENGINE,
)
def _matmul_vjp_cases():
    rng = np.random.default_rng(141)
    A, B = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    G = rng.normal(size=(3, 2))
    return [
        Case(
            "A = I (2×2), B = [[1, 2], [3, 4]], G = all ones",
            (np.ones((2, 2)), np.eye(2), np.array([[1.0, 2.0], [3.0, 4.0]])),
            expected=(np.array([[3.0, 7.0], [3.0, 7.0]]), np.ones((2, 2))),
        ),
        Case("A (3, 4), B (4, 2), random G", (G, A, B), expected=_matmul_vjp(G, A, B), rtol=1e-10),
    ]


_TAPE = [("input",), ("input",), ("mul", 0, 1), ("sin", 0), ("add", 2, 3), ("exp", 4)]
_REUSED = [("input",), ("mul", 0, 0), ("mul", 1, 0), ("add", 2, 1), ("log", 3)]


@register(
    "14.tape_gradient",
    name="tape_gradient",
    hint="Forward: one value per tape entry. Backward: adjoints = zeros, adjoint of the "
    "last entry = 1; go through the entries from last to first and add each entry's "
    "adjoint × local derivative to the adjoints of its operands (+=: a value used twice "
    "collects two shares). The gradient is the adjoints of the input entries, in order.",
    blocks=_ENGINE,
)
def _tape_gradient_cases():
    return [
        Case(
            "exp(x₀x₁ + sin x₀) at (1, 2)",
            (_TAPE, [1.0, 2.0]),
            expected=_tape_forward_mode(_TAPE, [1.0, 2.0]),
            rtol=1e-12,
        ),
        Case(
            "one input used many times: log(x³ + x²) at x = 1.5",
            (_REUSED, [1.5]),
            expected=(
                math.log(1.5**3 + 1.5**2),
                np.array([(3 * 1.5**2 + 3.0) / (1.5**3 + 1.5**2)]),
            ),
            rtol=1e-12,
        ),  # fmt: skip
        Case(
            "three inputs, x₂ unused: x₀ · x₁",
            ([("input",), ("input",), ("input",), ("mul", 0, 1)], [3.0, -2.0, 7.0]),
            expected=(-6.0, np.array([-2.0, 3.0, 0.0])),
        ),
    ]


@register(
    "14.logistic_value_and_grad",
    name="logistic_value_and_grad",
    hint="Write L(w) = ad.mean(ad.log(1.0 + ad.exp(-y * (X @ w)))) and return "
    "ad.value_and_grad(L)(w): the engine does the backward pass.",
    blocks=(
        "course_lib.losses.empirical_risk",
        "course_lib.losses.empirical_risk_gradient",
        "course_lib.derivatives.gradient",
    ),  # fmt: skip
)
def _logistic_cases():
    rng = np.random.default_rng(142)
    X = rng.normal(size=(30, 4))
    y = np.where(rng.normal(size=30) > 0, 1.0, -1.0)
    w = rng.normal(size=4)
    return [
        Case(
            "w = 0: L = log 2",
            (np.zeros(4), X, y),
            expected=_logistic(np.zeros(4), X, y),
            rtol=1e-12,
        ),  # fmt: skip
        Case("random w, 30 points in R⁴", (w, X, y), expected=_logistic(w, X, y), rtol=1e-10),
    ]
