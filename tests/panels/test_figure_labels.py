"""Every figure the lectures show has a title, and every plotting axis a y-label (issue 18).

Builds every slider panel of every lecture (``PANELS`` of each ``course_lib.panels`` module)
and the figure builders lecture 10 calls, and reads each Axes. An axis that plots no quantity
(a drawing of a graph, a zoom with its ticks hidden) is listed in ``NO_Y_AXIS`` with the reason.
"""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import course_lib.panels
from course_lib import networks
from course_lib.panels import neural_networks as lecture10

MODULES = sorted(m.name for m in pkgutil.iter_modules(course_lib.panels.__path__))
PANEL_CASES = [
    (module, name)
    for module in MODULES
    for name in getattr(importlib.import_module(f"course_lib.panels.{module}"), "PANELS", {})
]

# (module, panel, axes index): why that axis has no y-label
NO_Y_AXIS = {
    ("automatic_differentiation", "forward and reverse sweep", 0): (
        "a drawing of the computation graph: its axes carry no quantity"
    ),
    ("gradient_free_nelder_mead", "simplex (Rosenbrock)", 1): (
        "the zoom on the move: the simplex rescaled to a unit frame, ticks hidden"
    ),
    ("gradient_free_nelder_mead", "simplex (Himmelblau)", 1): (
        "the zoom on the move: the simplex rescaled to a unit frame, ticks hidden"
    ),
}


def _missing(fig, key=None):
    wrong = []
    for k, ax in enumerate(fig.axes):
        if ax.get_label() == "<colorbar>":
            continue  # a colour bar names its quantity in its own label
        if not ax.get_title():
            wrong.append(f"axes {k}: no title")
        excused = key is not None and (*key, k) in NO_Y_AXIS
        if not ax.get_ylabel() and not excused:
            wrong.append(f"axes {k}: no y-label")
    return wrong


@pytest.mark.parametrize("module, name", PANEL_CASES, ids=[f"{m}-{n}" for m, n in PANEL_CASES])
def test_every_panel_axis_has_a_title_and_a_y_label(module, name):
    panel = importlib.import_module(f"course_lib.panels.{module}").PANELS[name]()
    assert _missing(panel.figure, (module, name)) == []


def test_lecture_10s_figures_have_titles_and_y_labels():
    x = np.linspace(-1.0, 1.0, 41)
    theta = networks.init_params(3, seed=0)
    units = np.array([1, 2, 4])
    figures = [
        lecture10.elbows_figure(theta, x),
        lecture10.elbows_figure(theta, x, np.abs(x)),
        lecture10.error_figure(units, np.array([1.0, 0.5, 0.2]), ["RMS error"]),
        lecture10.compare_figure(x, np.abs(x), {"fit": networks.forward(theta, x)}),
    ]
    for plot in figures:
        assert _missing(plot.fig) == []


def test_the_exceptions_name_real_axes_without_a_y_label():
    for (module, name, k), reason in NO_Y_AXIS.items():
        panel = importlib.import_module(f"course_lib.panels.{module}").PANELS[name]()
        assert panel.figure.axes[k].get_ylabel() == "", f"{module}/{name}: {reason}"


def _figure_builders():
    """(file, function) for every function of the panels and of plots.py that makes a figure."""
    import ast
    from pathlib import Path

    root = Path(course_lib.panels.__file__).parent
    for path in [*sorted(root.glob("*.py")), root.parent / "plots.py"]:
        source = path.read_text()
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                body = node.body[1:] if ast.get_docstring(node) is not None else node.body
                lines = source.splitlines()[body[0].lineno - 1 : node.end_lineno]  # no docstring
                text = "\n".join(lines)
                if "new_figure(" in text and node.name != "new_figure":
                    yield path.name, node.name, text


BUILDERS = list(_figure_builders())


@pytest.mark.parametrize("text", [b[2] for b in BUILDERS], ids=[f"{b[0]}-{b[1]}" for b in BUILDERS])
def test_every_figure_builder_titles_its_axes(text):
    # cheap and static: a builder sets a title itself or gives its untitled axes one at the end
    assert any(call in text for call in (".set_title(", "suptitle(", "plots.title_axes(")), (
        "title the figure: ax.set_title(...) or plots.title_axes(fig, ...)"
    )


def test_title_axes_keeps_the_titles_already_set():
    from course_lib import plots

    fig, (a, b, c) = plots.new_figure(1, 3)
    a.set_title("kept")
    plots.title_axes(fig, "second", "third")
    assert [ax.get_title() for ax in (a, b, c)] == ["kept", "second", "third"]
