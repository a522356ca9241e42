"""Public cases for ``12_adaptive_methods``.

The expected paths come from references written here from the published formulas, with
explicit Python loops over the coordinates (no course_lib code): AdaGrad (Duchi et al.,
2011), RMSProp (Tieleman and Hinton, 2012) and Adam (Kingma and Ba, 2015), ε after the root.
"""

from __future__ import annotations

import math

import numpy as np

from course_lib.grading.checker import Case, register

_ADAPTIVE = (
    "course_lib.adaptive.adagrad",
    "course_lib.adaptive.rmsprop",
    "course_lib.adaptive.adam",
    "course_lib.adaptive.adamw",
    "course_lib.adaptive.adaptive_descent",
    "course_lib.adaptive.online_descent",
    "course_lib.adaptive.online_adam_linear",
    "course_lib.adaptive.adagrad_step",
    "course_lib.adaptive.rmsprop_step",
    "course_lib.adaptive.adam_step",
    "course_lib.panels.adaptive_methods.uncorrected_step_factor",
    "course_lib.panels.adaptive_methods.constant_gradient_steps",
    "course_lib.panels.adaptive_methods.adagrad_steps",
)


def scaled_gradient(x):
    """Gradient (x₀, 100 x₁) of the badly scaled bowl ½(x₀² + 100 x₁²)."""
    return np.asarray(x, dtype=float) * np.array([1.0, 100.0])


def _reference(kind, x0, learning_rate, steps, *, alpha=0.99, beta1=0.9, beta2=0.999, eps):
    """One coordinate at a time, in plain Python floats."""
    path = [list(map(float, x0))]
    d = len(path[0])
    s, m, v = [0.0] * d, [0.0] * d, [0.0] * d
    x = list(path[0])
    for t in range(1, steps + 1):
        g = [float(gi) for gi in scaled_gradient(x)]
        new = []
        for i in range(d):
            if kind == "adagrad":
                s[i] += g[i] ** 2
                new.append(x[i] - learning_rate * g[i] / (math.sqrt(s[i]) + eps))
            elif kind == "rmsprop":
                s[i] = alpha * s[i] + (1 - alpha) * g[i] ** 2
                new.append(x[i] - learning_rate * g[i] / (math.sqrt(s[i]) + eps))
            else:
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2
                m_hat, v_hat = m[i] / (1 - beta1**t), v[i] / (1 - beta2**t)
                new.append(x[i] - learning_rate * m_hat / (math.sqrt(v_hat) + eps))
        x = new
        path.append(list(x))
    return np.array(path)


X0 = np.array([-1.9, -0.7])


@register(
    "12.adagrad",
    name="adagrad",
    hint="Keep s = zeros; each step s = s + g², then x = x − η g / (√s + eps), coordinate-wise "
    "(NumPy does that for arrays); collect x₀, …, x_T into an array of shape (steps + 1, d).",
    blocks=_ADAPTIVE,
)
def _adagrad_cases():
    return [
        Case(
            "η = 0.5, 30 steps on the bowl ½(x₀² + 100 x₁²)",
            (scaled_gradient, X0, 0.5, 30),
            expected=_reference("adagrad", X0, 0.5, 30, eps=1e-10),
            rtol=1e-9,
            atol=1e-12,
        ),
        Case(
            "the first step is ±η in every coordinate",
            (scaled_gradient, X0, 0.1, 1),
            expected=np.array([X0, X0 + 0.1]),
            rtol=1e-8,
        ),
        Case("zero steps: just x0, shape (1, 2)", (scaled_gradient, X0, 0.5, 0), expected=X0[None]),
    ]


@register(
    "12.rmsprop",
    name="rmsprop",
    hint="As AdaGrad, but s = α s + (1 − α) g² (an average, not a sum), s starting at zeros.",
    blocks=_ADAPTIVE,
)
def _rmsprop_cases():
    return [
        Case(
            "η = 0.05, α = 0.9, 30 steps on the bowl",
            (scaled_gradient, X0, 0.05, 0.9, 30),
            expected=_reference("rmsprop", X0, 0.05, 30, alpha=0.9, eps=1e-8),
            rtol=1e-9,
            atol=1e-12,
        ),
        Case(
            "α = 0.99: the first step is η/√(1 − α) = 10 η in every coordinate",
            (scaled_gradient, X0, 0.01, 0.99, 1),
            expected=np.array([X0, X0 + 0.1]),
            rtol=1e-7,
        ),
    ]


@register(
    "12.adam",
    name="adam",
    hint="m = β₁m + (1 − β₁)g, v = β₂v + (1 − β₂)g², then m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ) "
    "with t counted from 1, and x = x − η m̂ / (√v̂ + eps).",
    blocks=_ADAPTIVE,
)
def _adam_cases():
    return [
        Case(
            "η = 0.1, β = (0.9, 0.999), 40 steps on the bowl",
            (scaled_gradient, X0, 0.1, 0.9, 0.999, 40),
            expected=_reference("adam", X0, 0.1, 40, beta1=0.9, beta2=0.999, eps=1e-8),
            rtol=1e-9,
            atol=1e-12,
        ),
        Case(
            "with the bias correction the first step is ±η in every coordinate",
            (scaled_gradient, X0, 0.1, 0.9, 0.999, 1),
            expected=np.array([X0, X0 + 0.1]),
            rtol=1e-8,
        ),
    ]


def _factor(beta1, beta2, t):
    return (1 - beta1**t) / math.sqrt(1 - beta2**t)


@register(
    "12.uncorrected_step",
    name="uncorrected_step",
    hint="For a constant gradient m_t = (1 − β₁ᵗ)g and v_t = (1 − β₂ᵗ)g²: the step m/√v is "
    "(1 − β₁ᵗ)/√(1 − β₂ᵗ) times η. Return an array, one value per t.",
    blocks=_ADAPTIVE,
)
def _uncorrected_cases():
    t = np.array([1, 2, 10, 1000])
    return [
        Case(
            "β = (0.9, 0.999) at t = 1, 2, 10, 1000",
            (0.9, 0.999, t),
            expected=np.array([_factor(0.9, 0.999, k) for k in t]),
            rtol=1e-10,
        ),
        Case(
            "β₁ = 0: the first step is 1/√(1 − β₂)",
            (0.0, 0.99, np.array([1])),
            expected=np.array([10.0]),
            rtol=1e-10,
        ),
    ]
