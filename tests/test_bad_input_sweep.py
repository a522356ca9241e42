"""Every public function of the numerical modules names the argument it refuses (issue 21).

For each function: one valid call (the table below), then every argument in turn replaced by
a bad value: a string where numbers or a callable are expected, a non-finite number, an
array of the wrong shape. The call must raise ValueError or TypeError whose message names
that argument; never a NumPy error from deep inside, a NaN or a silent result. A test also
checks that the table covers every public function of those modules, so a new function
cannot be added without its row.
"""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import (
    closed_form,
    constrained,
    curvature,
    derivatives,
    descent,
    gradient_free,
    losses,
    networks,
    objectives,
    stochastic,
    trajectory,
)

MODULES = (
    objectives, derivatives, descent, stochastic, curvature, closed_form, constrained,
    losses, networks, gradient_free, trajectory,
)  # fmt: skip

QUAD = objectives.quadratic([1.0, 4.0])
X2 = np.column_stack([np.linspace(-1.0, 1.0, 8), np.ones(8)])
Y_PM = np.array([1.0, -1.0] * 4)
Y_REAL = np.linspace(0.0, 3.0, 8)
H2 = np.diag([1.0, 4.0])
SIMPLEX = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0]])
THETA = networks.init_params(3)
A2, B2 = np.eye(2), np.array([2.0, 0.0])


def _sq(x):
    return np.sum(np.asarray(x) ** 2, axis=-1)


# name -> (function, valid keyword arguments, arguments not swept and why)
CALLS = {
    "objectives.rotation_2d": (objectives.rotation_2d, {"angle": 0.3}),
    "objectives.quadratic": (
        objectives.quadratic,
        {"eigenvalues": [1.0, 2.0], "b": [1.0, 0.0], "rotation": np.eye(2), "angle": 0.1},
    ),
    "objectives.ill_conditioned_quadratic": (
        objectives.ill_conditioned_quadratic,
        {"condition_number": 10.0, "dim": 2, "smallest": 1.0, "angle": 0.1},
    ),
    "objectives.rosenbrock": (objectives.rosenbrock, {"a": 1.0, "b": 100.0, "dim": 2}),
    "objectives.least_squares": (objectives.least_squares, {"X": X2, "y": Y_REAL}),
    "derivatives.default_step": (derivatives.default_step, {"x": 1.0, "scheme": "forward"}),
    "derivatives.forward_difference": (
        derivatives.forward_difference,
        {"f": np.sin, "x": 1.0, "h": 1e-3},
    ),
    "derivatives.backward_difference": (
        derivatives.backward_difference,
        {"f": np.sin, "x": 1.0, "h": 1e-3},
    ),
    "derivatives.centered_difference": (
        derivatives.centered_difference,
        {"f": np.sin, "x": [1.0, 2.0], "h": 1e-3},
    ),
    "derivatives.gradient": (
        derivatives.gradient,
        {
            "f": _sq,
            "x": [1.0, 2.0],
            "h": 1e-4,
            "scheme": "centered",
            "vectorized": True,
            "chunk_size": 4,
        },
    ),
    "derivatives.jacobian": (
        derivatives.jacobian,
        {"F": lambda x: np.asarray(x) * 2.0, "x": [1.0, 2.0], "h": 1e-4, "scheme": "forward"},
    ),
    "derivatives.hessian": (derivatives.hessian, {"f": _sq, "x": [1.0, 2.0], "h": 1e-3}),
    "derivatives.hessian_from_gradient": (
        derivatives.hessian_from_gradient,
        {"grad": QUAD.gradient, "x": [1.0, 2.0], "h": 1e-4},
    ),
    "derivatives.hessian_vector_product": (
        derivatives.hessian_vector_product,
        {"grad": QUAD.gradient, "x": [1.0, 2.0], "v": [1.0, 0.0], "h": 1e-4},
    ),
    "derivatives.directional_derivative": (
        derivatives.directional_derivative,
        {"f": _sq, "x": [1.0, 2.0], "v": [1.0, 0.0], "h": 1e-4, "scheme": "centered"},
    ),
    "derivatives.gradient_check": (
        derivatives.gradient_check,
        {"f": QUAD, "grad": QUAD.gradient, "x": [1.0, 2.0], "h": 1e-5, "tol": 1e-6, "floor": 1.0},
    ),
    "derivatives.error_versus_step": (
        derivatives.error_versus_step,
        {"f": np.sin, "df": np.cos, "x": 1.0, "steps": [1e-3, 1e-2], "scheme": "centered"},
    ),
    "derivatives.fitted_order": (
        derivatives.fitted_order,
        {"steps": [1e-3, 1e-2], "errors": [1e-6, 1e-4], "low": 1e-4, "high": 1.0},
    ),
    "descent.optimal_step": (descent.optimal_step, {"g": [1.0, 1.0], "H": H2}),
    "descent.backtracking_step": (
        descent.backtracking_step,
        {
            "f": QUAD,
            "x": [1.0, 1.0],
            "g": [1.0, 4.0],
            "initial_step": 1.0,
            "armijo": 1e-4,
            "shrink": 0.5,
            "max_halvings": 10,
        },
    ),
    "descent.gradient_descent": (
        descent.gradient_descent,
        {
            "objective": QUAD,
            "x0": [1.0, 1.0],
            "learning_rate": 0.1,
            "line_search": "fixed",
            "max_iter": 5,
            "tol": 1e-8,
            "armijo": 1e-4,
            "shrink": 0.5,
            "initial_step": 1.0,
        },
    ),
    "descent.heavy_ball": (
        descent.heavy_ball,
        {
            "objective": QUAD,
            "x0": [1.0, 1.0],
            "learning_rate": 0.1,
            "momentum": 0.5,
            "max_iter": 5,
            "tol": 1e-8,
        },
    ),
    "descent.nesterov": (
        descent.nesterov,
        {
            "objective": QUAD,
            "x0": [1.0, 1.0],
            "learning_rate": 0.1,
            "momentum": 0.5,
            "max_iter": 5,
            "tol": 1e-8,
        },
    ),
    "descent.newton": (
        descent.newton,
        {"objective": QUAD, "x0": [1.0, 1.0], "damping": 1.0, "max_iter": 5, "tol": 1e-8},
    ),
    "stochastic.least_squares_loss": (
        stochastic.least_squares_loss,
        {"w": [0.0, 0.0], "X": X2, "y": Y_REAL},
    ),
    "stochastic.least_squares_gradient": (
        stochastic.least_squares_gradient,
        {"w": [0.0, 0.0], "X": X2, "y": Y_REAL},
    ),
    "stochastic.per_example_gradients": (
        stochastic.per_example_gradients,
        {"w": [0.0, 0.0], "X": X2, "y": Y_REAL},
    ),
    "stochastic.minibatch_indices": (
        stochastic.minibatch_indices,
        {"n": 8, "batch_size": 2, "epochs": 1, "replace": False, "seed": 0},
    ),
    "stochastic.learning_rate_schedule": (
        stochastic.learning_rate_schedule,
        {"name": "step", "learning_rate": 0.1, "steps": 10, "step_every": 2, "factor": 0.5},
    ),
    "stochastic.sgd": (
        stochastic.sgd,
        {
            "X": X2,
            "y": Y_REAL,
            "w0": [0.0, 0.0],
            "learning_rate": 0.1,
            "batch_size": 2,
            "epochs": 1,
            "momentum": 0.0,
            "schedule": "constant",
            "replace": False,
            "seed": 0,
            "record": "epoch",
            "tol": 1e-12,
        },
    ),
    "curvature.hessian_eigen": (curvature.hessian_eigen, {"H": H2}),
    "curvature.condition_number": (curvature.condition_number, {"H": H2}),
    "curvature.classify_critical_point": (
        curvature.classify_critical_point,
        {"H": H2, "tol": 1e-8},
    ),
    "curvature.stability_limit": (curvature.stability_limit, {"H": H2}),
    "curvature.gd_rate": (curvature.gd_rate, {"H_or_eigenvalues": H2, "learning_rate": 0.1}),
    "curvature.optimal_gd_step": (curvature.optimal_gd_step, {"H": H2}),
    "curvature.optimal_gd_rate": (curvature.optimal_gd_rate, {"kappa": 4.0}),
    "curvature.optimal_momentum": (curvature.optimal_momentum, {"H": H2}),
    "curvature.momentum_rate": (curvature.momentum_rate, {"kappa": 4.0}),
    "curvature.momentum_rate_for": (
        curvature.momentum_rate_for,
        {"H": H2, "learning_rate": 0.1, "momentum": 0.5},
    ),
    "curvature.top_eigenvalue": (
        curvature.top_eigenvalue,
        {
            "hvp": lambda v: H2 @ v,
            "dim": 2,
            "method": "lanczos",
            "tol": 1e-8,
            "max_iter": 10,
            "seed": 0,
        },
    ),
    "closed_form.design_matrix": (closed_form.design_matrix, {"x": [0.0, 1.0, 2.0]}),
    "closed_form.normal_equations": (closed_form.normal_equations, {"X": X2, "y": Y_REAL}),
    "closed_form.lstsq_solution": (closed_form.lstsq_solution, {"X": X2, "y": Y_REAL}),
    "closed_form.pinv_solution": (closed_form.pinv_solution, {"X": X2, "y": Y_REAL}),
    "closed_form.line_fit": (closed_form.line_fit, {"x": X2[:, 0], "y": Y_REAL}),
    "closed_form.line_fit_loss_surface": (
        closed_form.line_fit_loss_surface,
        {"x": X2[:, 0], "y": Y_REAL, "slopes": [0.0, 1.0], "intercepts": [0.0, 1.0]},
    ),
    "closed_form.solve_cost": (closed_form.solve_cost, {"n": 100, "d": 3}),
    "closed_form.iterative_cost": (closed_form.iterative_cost, {"n": 100, "d": 3, "steps": 5}),
    "constrained.project_ball": (
        constrained.project_ball,
        {"x": [3.0, 0.0], "radius": 1.0, "center": [0.0, 0.0]},
    ),
    "constrained.project_box": (
        constrained.project_box,
        {"x": [3.0, 0.0], "lower": -1.0, "upper": 1.0},
    ),
    "constrained.gradient_mapping": (
        constrained.gradient_mapping,
        {
            "objective": QUAD,
            "project": constrained.project_ball,
            "x": [1.0, 0.0],
            "learning_rate": 0.5,
        },
    ),
    "constrained.projected_gradient_descent": (
        constrained.projected_gradient_descent,
        {
            "objective": QUAD,
            "x0": [1.0, 0.0],
            "learning_rate": 0.5,
            "project": constrained.project_ball,
            "max_iter": 5,
            "tol": 1e-8,
        },
    ),
    "constrained.circle_point": (constrained.circle_point, {"theta": 0.5}),
    "constrained.circle_reparametrization": (
        constrained.circle_reparametrization,
        {"objective": QUAD},
    ),
    "constrained.norm_constrained_objective": (
        constrained.norm_constrained_objective,
        {"A": A2, "b": B2},
    ),
    "constrained.lagrangian": (
        constrained.lagrangian,
        {"x": [1.0, 0.0], "lam": 0.5, "A": A2, "b": B2, "radius": 1.0},
    ),
    "constrained.lagrangian_minimizer": (
        constrained.lagrangian_minimizer,
        {"A": A2, "b": B2, "lam": 0.5},
    ),
    "constrained.dual_step_limit": (constrained.dual_step_limit, {"A": A2, "b": B2}),
    "constrained.dual_ascent": (
        constrained.dual_ascent,
        {
            "A": A2,
            "b": B2,
            "radius": 1.0,
            "step_size": 0.5,
            "lam0": 0.0,
            "max_iter": 5,
            "tol": 1e-10,
        },
    ),
    "constrained.kkt_check": (
        constrained.kkt_check,
        {"x": [1.0, 0.0], "lam": 0.5, "A": A2, "b": B2, "radius": 1.0, "tol": 1e-6},
    ),
    **{
        f"losses.{name}": (getattr(losses, name), {"z": [-1.0, 0.0, 2.0]})
        for name in (
            "sigmoid",
            "zero_one_loss",
            "zero_one_derivative",
            "square_loss",
            "square_derivative",
            "hinge_loss",
            "hinge_derivative",
            "logistic_loss",
            "logistic_derivative",
        )
    },  # fmt: skip
    "losses.margin_loss": (losses.margin_loss, {"z": [-1.0, 2.0], "loss": "hinge"}),
    "losses.margin_loss_derivative": (
        losses.margin_loss_derivative,
        {"z": [-1.0, 2.0], "loss": "hinge"},
    ),
    "losses.logsumexp": (losses.logsumexp, {"a": [[0.0, 1.0]], "axis": -1}),
    "losses.log_softmax": (losses.log_softmax, {"logits": [[0.0, 1.0]], "axis": -1}),
    "losses.softmax": (losses.softmax, {"logits": [[0.0, 1.0]], "axis": -1}),
    "losses.cross_entropy": (
        losses.cross_entropy,
        {"logits": [[0.0, 1.0]], "labels": np.array([1])},
    ),
    "losses.cross_entropy_gradient": (
        losses.cross_entropy_gradient,
        {"logits": [[0.0, 1.0]], "labels": np.array([1])},
    ),
    **{
        f"losses.{name}": (
            getattr(losses, name),
            {"w": [0.0, 0.0], "X": X2, "y": Y_PM, "loss": "logistic"},
        )
        for name in ("empirical_risk", "empirical_risk_gradient", "empirical_risk_hessian")
    },
    "losses.risk_objective": (losses.risk_objective, {"X": X2, "y": Y_PM, "loss": "hinge"}),
    "losses.logistic_regression": (
        losses.logistic_regression,
        {
            "X": X2,
            "y": Y_PM,
            "method": "gd",
            "learning_rate": 0.5,
            "w0": [0.0, 0.0],
            "max_iter": 5,
            "tol": 1e-8,
        },
    ),
    "networks.relu": (networks.relu, {"h": [-1.0, 2.0]}),
    "networks.n_parameters": (networks.n_parameters, {"units": 3}),
    "networks.pack": (
        networks.pack,
        {"w": [1.0, 2.0], "b": [0.0, 1.0], "a": [1.0, -1.0], "c": 0.5},
    ),
    "networks.unpack": (networks.unpack, {"theta": THETA}),
    "networks.init_params": (
        networks.init_params,
        {"units": 3, "seed": 0, "x_range": (-1.0, 1.0)},
    ),
    "networks.elbows": (networks.elbows, {"theta": THETA, "x": [0.0, 0.5]}),
    "networks.elbow_positions": (networks.elbow_positions, {"theta": THETA}),
    "networks.forward": (networks.forward, {"theta": THETA, "x": [0.0, 0.5]}),
    "networks.mse_loss": (networks.mse_loss, {"theta": THETA, "X": X2[:, :1], "y": Y_REAL}),
    "networks.mse_gradient": (
        networks.mse_gradient,
        {"theta": THETA, "X": X2[:, :1], "y": Y_REAL},
    ),
    "networks.grid_knots": (networks.grid_knots, {"low": -1.0, "high": 1.0, "units": 3}),
    "networks.fit_piecewise_linear": (
        networks.fit_piecewise_linear,
        {"x": X2[:, 0], "y": Y_REAL, "units": 3},
    ),
    "networks.train": (
        networks.train,
        {
            "X": X2[:, :1],
            "y": Y_REAL,
            "theta0": THETA,
            "learning_rate": 0.01,
            "batch_size": 2,
            "epochs": 1,
            "momentum": 0.0,
            "seed": 0,
        },
    ),
    "gradient_free.centroid": (gradient_free.centroid, {"simplex": SIMPLEX, "worst_index": 2}),
    "gradient_free.reflect": (
        gradient_free.reflect,
        {"simplex": SIMPLEX, "worst_index": 2, "rho": 1.0},
    ),
    "gradient_free.expand": (
        gradient_free.expand,
        {"simplex": SIMPLEX, "worst_index": 2, "rho": 1.0, "chi": 2.0},
    ),
    "gradient_free.contract_outside": (
        gradient_free.contract_outside,
        {"simplex": SIMPLEX, "worst_index": 2, "rho": 1.0, "gamma": 0.5},
    ),
    "gradient_free.contract_inside": (
        gradient_free.contract_inside,
        {"simplex": SIMPLEX, "worst_index": 2, "gamma": 0.5},
    ),
    "gradient_free.shrink": (
        gradient_free.shrink,
        {"simplex": SIMPLEX, "best_index": 0, "sigma": 0.5},
    ),
    "gradient_free.initial_simplex": (
        gradient_free.initial_simplex,
        {"x0": [1.0, 0.0], "step": 0.05, "zero_step": 2.5e-4},
    ),
    "gradient_free.coefficients": (gradient_free.coefficients, {"dim": 2, "adaptive": True}),
    "gradient_free.nelder_mead": (
        gradient_free.nelder_mead,
        {
            "f": QUAD,
            "x0": [1.0, 1.0],
            "max_iter": 5,
            "max_evaluations": 20,
            "xatol": 1e-4,
            "fatol": 1e-4,
            "adaptive": False,
            "initial": SIMPLEX,
            "vectorized": True,
        },
    ),
}

# Public functions that take no argument, or only internal ones (documented as such).
NO_USER_ARGUMENTS = {
    "objectives.himmelblau", "objectives.saddle", "objectives.monkey_saddle",
    "objectives.beale",
    "trajectory.iterate",  # the loop behind every method; called by the library, not users
}  # fmt: skip

BAD_VALUES = {
    "a string": "abc",
    "nan": float("nan"),
    "a nested list of the wrong shape": [[[1.0, 2.0, 3.0]]],
}

# (function, argument, bad value) combinations that are legitimately accepted.
ACCEPTED = {
    # an array of any shape is a valid batch for elementwise and broadcasting functions
    ("*", "*", "a nested list of the wrong shape"): "elementwise",
    # inf/nan allowed by design: a diverging run evaluates the risk / step at inf
    ("descent.backtracking_step", "x", "nan"): "a diverging run",
    ("descent.backtracking_step", "g", "nan"): "a diverging run",
    ("losses.empirical_risk", "w", "nan"): "a diverging run",
    ("stochastic.least_squares_loss", "w", "nan"): "a diverging run",
    ("stochastic.least_squares_gradient", "w", "nan"): "a diverging run",
    ("losses.empirical_risk_gradient", "w", "nan"): "a diverging run",
    ("losses.empirical_risk_hessian", "w", "nan"): "a diverging run",
    ("networks.relu", "h", "nan"): "elementwise, nan in nan out",
    **{
        (f"networks.{fn}", "theta", "nan"): "a diverging training run evaluates at inf"
        for fn in ("unpack", "elbows", "elbow_positions", "forward", "mse_loss", "mse_gradient")
    },
}


def _accepted(name, arg, bad):
    return (name, arg, bad) in ACCEPTED or ("*", "*", bad) in ACCEPTED


def _cases():
    for name, (_, kwargs) in CALLS.items():
        for arg in kwargs:
            for bad in BAD_VALUES:
                if not _accepted(name, arg, bad):
                    yield pytest.param(name, arg, bad, id=f"{name}-{arg}-{bad}")


def test_the_table_covers_every_public_function():
    public = set()
    for module in MODULES:
        short = module.__name__.rsplit(".", 1)[-1]
        for attr, obj in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(obj):
                continue
            if obj.__module__ == module.__name__:
                public.add(f"{short}.{attr}")
    missing = public - set(CALLS) - NO_USER_ARGUMENTS
    assert not missing, f"add a row to CALLS for {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_valid_call_of_each_row_works(name):
    fn, kwargs = CALLS[name]
    fn(**kwargs)


@pytest.mark.parametrize(("name", "arg", "bad"), list(_cases()))
def test_a_bad_argument_is_refused_with_an_error_that_names_it(name, arg, bad):
    fn, kwargs = CALLS[name]
    with pytest.raises((TypeError, ValueError)) as err:
        result = fn(**{**kwargs, arg: BAD_VALUES[bad]})
        pytest.fail(f"{name}({arg}={bad}) returned {result!r} instead of raising")
    named = re.search(rf"(?<![A-Za-z_]){re.escape(arg)}(?![A-Za-z_])", str(err.value))
    assert named, f"{name}({arg}={bad}): {type(err.value).__name__}: {err.value}"


def _array_arguments():
    """(row, argument, shape) for every argument of the table given as a float array."""
    out = []
    for name, (_, kwargs) in CALLS.items():
        for arg, value in kwargs.items():
            if isinstance(value, (str, bool, tuple)) or callable(value) or value is None:
                continue
            arr = np.asarray(value)
            if arr.dtype.kind == "f" and arr.size > 0:
                out.append((name, arg, arr.shape))
    return out


ARRAY_ARGUMENTS = _array_arguments()


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_non_finite_entry_anywhere_in_an_array_argument_is_refused_by_name(data):
    name, arg, shape = data.draw(st.sampled_from(ARRAY_ARGUMENTS), label="argument")
    if _accepted(name, arg, "nan"):
        return
    fn, kwargs = CALLS[name]
    bad = np.array(kwargs[arg], dtype=float, copy=True)
    index = data.draw(st.integers(0, bad.size - 1), label="position")
    value = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]), label="value")
    bad.reshape(-1)[index] = value
    if name == "constrained.project_box" and arg in ("lower", "upper") and np.isinf(value):
        return  # an infinite bound is a half-open box: allowed
    if name == "derivatives.fitted_order" and arg == "high" and value == np.inf:
        return  # no upper limit
    if arg == "kappa" and value == np.inf:
        return  # a singular Hessian: κ = inf, and the rate is 1 (no contraction)
    with pytest.raises((TypeError, ValueError)) as err:
        fn(**{**kwargs, arg: bad})
    named = re.search(rf"(?<![A-Za-z_]){re.escape(arg)}(?![A-Za-z_])", str(err.value))
    assert named, f"{name}({arg} with {value} at {index}): {err.value}"
