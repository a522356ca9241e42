"""Figures and slider panels of lecture 14, automatic differentiation.

Everything drawn here is computed by :mod:`course_lib.autodiff`: the computation graph of an
expression is the engine's own graph (:func:`~course_lib.autodiff.topological_order`), and
the sweep panel steps through the engine's reverse sweep (and a forward sweep) one
:func:`~course_lib.autodiff.propagate` at a time. The cost experiment times the engine
against the finite differences of lecture 02 (:func:`course_lib.derivatives.gradient`), and
the network functions write lecture 10's loss with engine operations, so that its
gradient comes out of :func:`~course_lib.autodiff.grad` instead of a hand-written backward
pass.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection

from course_lib import autodiff as ad
from course_lib import derivatives, networks, plots, widgets
from course_lib._checks import as_float_array, callable_arg, positive_int

#: The point of the worked example of Baydin et al. (2018), "Automatic differentiation in
#: machine learning: a survey", Table 2 and 3: f(2, 5) = 11.652.
EXAMPLE_POINT = (2.0, 5.0)
#: The dimensions of the cost experiment, 10 to 10⁴, and the largest one forward mode runs
#: at (its d tangents of length d need d² numbers per operation).
COST_DIMS = np.array([10, 30, 100, 300, 1000, 3000, 10000])
MAX_FORWARD_DIM = 1000
X1_RANGE = (0.2, 4.0)
X2_RANGE = (-3.0, 6.0)

PENDING, CURRENT, DONE = "white", "C1", "#9ecae1"


# --------------------------------------------------------------------------- the example


def example(x1, x2):
    """f(x₁, x₂) = ln x₁ + x₁x₂ − sin x₂, the running example (Baydin et al., 2018).

    Written with :mod:`course_lib.autodiff`, so it runs on plain arrays, on Tensors (reverse
    mode) and on Duals (forward mode). Its gradient, by hand: (1/x₁ + x₂, x₁ − cos x₂).

    Examples
    --------
    >>> round(float(example(2.0, 5.0)), 3)
    11.652
    """
    return ad.log(x1) + x1 * x2 - ad.sin(x2)


def example_gradient(x1, x2):
    """∇f = (1/x₁ + x₂, x₁ − cos x₂), the example's gradient written by hand."""
    x1, x2 = np.asarray(x1, float), np.asarray(x2, float)
    return np.stack([1.0 / x1 + x2, x1 - np.cos(x2)], axis=-1)


def rosenbrock(x):
    """Σᵢ 100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², vectorised over rows (..., d): cost O(d) (lecture 14).

    Written with :mod:`course_lib.autodiff` operations, so ``derivatives.gradient`` (finite
    differences), :func:`~course_lib.autodiff.grad` (reverse mode) and
    :func:`~course_lib.autodiff.forward_gradient` differentiate the same code.
    """
    head, tail = x[..., :-1], x[..., 1:]
    return ad.sum(100.0 * (tail - head**2) ** 2 + (1.0 - head) ** 2, axis=-1)


# --------------------------------------------------------------------------- graphs


@dataclass
class Graph:
    """A traced computation: its nodes in topological order, their labels and positions."""

    output: ad.Tensor
    nodes: list
    labels: list
    positions: np.ndarray  # (n, 2): column = depth (longest path from an input), row

    @property
    def edges(self) -> list[tuple[int, int]]:
        """(parent, child) index pairs, one per use of a parent (constants left out)."""
        index = {id(n): i for i, n in enumerate(self.nodes)}
        return [
            (index[id(p)], i)
            for i, node in enumerate(self.nodes)
            for p in node.parents
            if id(p) in index
        ]


def trace(f, *inputs, names=None) -> Graph:
    """Run ``f`` on Tensors made from ``inputs`` and lay out its computation graph.

    Constants (numbers in the expression) are left out of the picture. A node's column is
    its depth, the longest path from an input; nodes of one column are spread evenly.

    Examples
    --------
    >>> g = trace(example, *EXAMPLE_POINT)
    >>> g.labels
    ['x₁', 'x₂', 'log', '×', '+', 'sin', '−']
    """
    callable_arg(f, "f")
    names = names or [f"x{'₁₂₃₄₅₆₇₈₉'[k]}" if k < 9 else f"x{k + 1}" for k in range(len(inputs))]
    if len(names) != len(inputs):
        raise ValueError(f"names must give one name per input ({len(inputs)}), got {names!r}")
    leaves = [
        ad.Tensor(as_float_array(x, "inputs"), name=n) for x, n in zip(inputs, names, strict=True)
    ]
    output = f(*leaves)
    if not isinstance(output, ad.Tensor):
        raise TypeError(f"f must compute with its inputs and return a Tensor, got {output!r}")
    order = [n for n in ad.topological_order(output) if n.op != "const"]
    order = [*[n for n in order if n.op == "input"], *[n for n in order if n.op != "input"]]
    depth: dict[int, int] = {}
    for node in order:
        ups = [depth[id(p)] + 1 for p in node.parents if id(p) in depth]
        depth[id(node)] = max(ups, default=0)
    columns = np.array([depth[id(n)] for n in order])
    rows = np.zeros(len(order))
    for c in np.unique(columns):
        members = np.flatnonzero(columns == c)
        rows[members] = np.arange(len(members))[::-1] - (len(members) - 1) / 2
    labels = [n.name if n.op == "input" else n.op for n in order]
    return Graph(output, order, labels, np.column_stack([columns, rows]).astype(float))


def reverse_sweep(graph: Graph) -> list[dict]:
    """Run the engine's reverse sweep on a traced graph one node at a time (lecture 14).

    Returns one snapshot per step: step 0 is the seed (the output's adjoint 1, all others
    unknown); step k is after :func:`~course_lib.autodiff.propagate` of the k-th node in
    reverse topological order. Each snapshot maps the node index to its adjoint (None while
    nothing has reached it) and names the node processed.
    """
    index = {id(n): i for i, n in enumerate(graph.nodes)}
    for node in ad.topological_order(graph.output):
        node.grad = None
    graph.output.grad = np.ones(graph.output.shape)
    steps = [{"node": None, "adjoints": _adjoints(graph)}]
    for node in reversed(ad.topological_order(graph.output)):
        if node.op == "const":
            continue
        ad.propagate(node)
        steps.append({"node": index[id(node)], "adjoints": _adjoints(graph)})
    return steps


def forward_sweep(graph: Graph, direction) -> list[dict]:
    """Forward mode on a traced graph of scalars, one node at a time (lecture 14).

    Each node's tangent is v̇ = Σ_u ∂v/∂u · u̇ over its parents u, in evaluation order, with
    the inputs' tangents ẋ = ``direction``. For a scalar node the local derivative ∂v/∂u is
    the node's VJP applied to 1. Returns one snapshot per step like :func:`reverse_sweep`
    (``"tangents"`` instead of ``"adjoints"``); the output's tangent at the end is ∇f·ẋ.
    """
    direction = as_float_array(direction, "direction", ndim_min=1)
    inputs = [i for i, n in enumerate(graph.nodes) if n.op == "input"]
    if direction.shape != (len(inputs),):
        raise ValueError(
            f"direction must have one entry per input ({len(inputs)}), got {direction}"
        )
    if any(n.size != 1 for n in graph.nodes):
        raise ValueError("forward_sweep draws graphs of scalars; use autodiff.jvp for arrays")
    index = {id(n): i for i, n in enumerate(graph.nodes)}
    seeds = dict(zip(inputs, direction, strict=True))
    tangents: list = [None] * len(graph.nodes)
    steps = [{"node": None, "tangents": list(tangents)}]
    for i, node in enumerate(graph.nodes):
        if node.op == "input":
            tangents[i] = float(seeds[i])
        else:
            tangents[i] = float(
                np.sum(
                    [
                        vjp(np.ones(node.shape)) * tangents[index[id(parent)]]
                        for parent, vjp in zip(node.parents, node.vjps, strict=True)
                        if parent.op != "const"
                    ]
                )
            )
        steps.append({"node": i, "tangents": list(tangents)})
    return steps


def _adjoints(graph: Graph) -> list:
    return [None if n.grad is None else np.array(n.grad) for n in graph.nodes]


def _number(v) -> str:
    return "?" if v is None else f"{float(np.ravel(v)[0]):.4g}"


def draw_graph(graph: Graph, *, ax=None, title: str | None = None):
    """The computation graph: nodes (circles with their operation), edges (arrows),
    each node's value v and adjoint v̄ underneath. Returns (fig, artists)."""
    fig, ax = plots._target(ax)
    xy = graph.positions
    for parent, child in graph.edges:
        ax.annotate(
            "",
            xy=xy[child],
            xytext=xy[parent],
            arrowprops={"arrowstyle": "-|>", "color": "0.6", "lw": 1.2, "shrinkA": 14,
                        "shrinkB": 14},
        )  # fmt: skip
    (highlight,) = [LineCollection([], colors="C3", linewidths=3, zorder=1)]
    ax.add_collection(highlight)
    dots = ax.scatter(xy[:, 0], xy[:, 1], s=900, c=[PENDING] * len(xy), edgecolors="k", zorder=2)
    labels = [
        ax.text(x, y, label, ha="center", va="center", fontsize=11, zorder=3)
        for (x, y), label in zip(xy, graph.labels, strict=True)
    ]  # moving with the dots, so that a panel draws them over the recoloured circles
    values = [
        ax.text(x, y - 0.33, "", ha="center", va="top", fontsize=8, color="0.25") for x, y in xy
    ]
    adjoints = [
        ax.text(x, y - 0.53, "", ha="center", va="top", fontsize=8, color="C3") for x, y in xy
    ]
    ax.set_xlim(xy[:, 0].min() - 0.6, xy[:, 0].max() + 0.6)
    ax.set_ylim(xy[:, 1].min() - 0.9, xy[:, 1].max() + 0.5)
    ax.set_xticks(np.unique(xy[:, 0]))
    ax.set_xlabel("depth: longest path from an input")
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title, fontsize=10)
    artists = {"dots": dots, "labels": labels, "values": values, "adjoints": adjoints}
    artists["highlight"] = highlight
    return fig, artists


def show_step(graph: Graph, artists: dict, steps: list, step: int) -> str:
    """Colour the nodes and write values and adjoints (or tangents) as they stand after
    ``step`` of a :func:`reverse_sweep` (or :func:`forward_sweep`); returns the readout."""
    k = positive_int(step, "step", allow_zero=True)
    if k >= len(steps):
        raise ValueError(f"step must be at most {len(steps) - 1}, got {step}")
    forward = "tangents" in steps[0]
    key, bar = ("tangents", "v̇") if forward else ("adjoints", "v̄")
    snapshot = steps[k]
    done = {s["node"] for s in steps[1 : k + 1]}
    current = snapshot["node"]
    colours = [
        CURRENT if i == current else DONE if i in done else PENDING for i in range(len(graph.nodes))
    ]
    artists["dots"].set_facecolor(colours)
    for text, node in zip(artists["values"], graph.nodes, strict=True):
        text.set_text(f"v = {_number(node.value)}")
    for text, number in zip(artists["adjoints"], snapshot[key], strict=True):
        text.set_text(f"{bar} = {_number(number)}")
    xy = graph.positions
    segments = [[xy[p], xy[c]] for p, c in graph.edges if c == current]
    artists["highlight"].set_segments(segments)
    if current is None:
        if forward:
            return f"step 0: nothing computed yet ({len(steps) - 1} steps, in evaluation order)"
        return f"step 0: seed the output's adjoint v̄ = ∂f/∂f = 1 ({len(steps) - 1} steps to go)"
    label, number = graph.labels[current], _number(snapshot[key][current])
    parents = ", ".join(
        graph.labels[p] if graph.nodes[p].op == "input" else f"the {graph.labels[p]} node"
        for p, c in graph.edges
        if c == current
    )
    if forward:
        if not graph.nodes[current].parents:
            return f"step {k}: {label} is an input; its tangent is the seed ẋ = {number}"
        text = f"step {k}: the {label} node: v̇ = Σ ∂v/∂u·u̇ over {parents} = {number}"
        if k == len(steps) - 1:
            text += (
                f"\nthe output's tangent is ∇f·ẋ = {number}: one pass, one directional derivative"
            )
        return text
    if not graph.nodes[current].parents:
        return f"step {k}: {label} is an input; its adjoint is final: ∂f/∂{label} = {number}"
    return (
        f"step {k}: the {label} node (v̄ = {number}) adds v̄·∂v/∂u to its parents' adjoints: "
        f"{parents}"
    )


def graph_figure(f=example, *inputs, step: int | None = None) -> plots.Plot:
    """The computation graph of ``f`` at ``inputs`` (default the example at (2, 5)), with
    values and, after ``step`` steps of the reverse sweep (default: all), the adjoints."""
    inputs = inputs or EXAMPLE_POINT
    graph = trace(f, *inputs)
    steps = reverse_sweep(graph)
    fig, artists = draw_graph(graph)
    show_step(graph, artists, steps, len(steps) - 1 if step is None else step)
    plot = plots.Plot(fig, artists["dots"].axes)
    plot.graph, plot.steps, plot.artists = graph, steps, artists
    return plot


MODES = {"reverse": None, "forward, ẋ = e₁": (1.0, 0.0), "forward, ẋ = e₂": (0.0, 1.0)}


def sweep_panel(
    x1: float = EXAMPLE_POINT[0], x2: float = EXAMPLE_POINT[1], step: int = 0, mode="reverse"
):
    """Sliders: the inputs x₁, x₂, the step of the sweep, and the mode (lecture 14).

    The graph of f(x₁, x₂) = ln x₁ + x₁x₂ − sin x₂ with every node's value (grey) and adjoint
    (red; "?" until something reached it). In reverse mode step k runs
    :func:`~course_lib.autodiff.propagate` on the k-th node in reverse topological order: the
    node turns orange, the edges to its parents turn red, and its parents' adjoints grow by
    v̄·∂v/∂u. At the last step the inputs' adjoints are the whole gradient. In forward mode
    (:func:`forward_sweep`, seed ẋ = e₁ or e₂) step k computes the k-th node's tangent from
    its parents'; at the last step the output's tangent is one partial derivative: a
    gradient needs one forward pass per input.

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` the moving artists, the graph and the sweep (for tests).

    Examples
    --------
    >>> panel = sweep_panel()
    >>> panel.set(step=7).startswith("step 7")
    True
    """
    graph = trace(example, x1, x2)
    fig, artists = draw_graph(graph, title="f(x₁, x₂) = ln x₁ + x₁x₂ − sin x₂")
    n_steps = len(graph.nodes)
    artists["graph"] = graph

    def update(x1, x2, step, mode):
        traced = trace(example, x1, x2)  # same structure, new values
        artists["graph"] = traced
        if MODES[mode] is None:
            artists["steps"] = reverse_sweep(traced)
        else:
            artists["steps"] = forward_sweep(traced, MODES[mode])
        return show_step(traced, artists, artists["steps"], step)

    controls = {
        "x1": widgets.slider(*X1_RANGE, x1, description="x₁"),
        "x2": widgets.slider(*X2_RANGE, x2, description="x₂"),
        "step": widgets.slider(0, n_steps, step, description="step"),
        "mode": widgets.choice(list(MODES), mode, buttons=True, description="mode"),
    }
    moving = [artists["highlight"], artists["dots"], *artists["labels"]]
    moving += [*artists["values"], *artists["adjoints"]]
    return widgets.Panel(fig, update, controls, moving, artists=artists)


# --------------------------------------------------------------------------- cost


def _time(fn, *, min_time: float = 0.005, repeats: int = 3) -> float:
    """The fastest of ``repeats`` mean times of fn() over loops of at least ``min_time`` s.

    The minimum is the measurement least disturbed by other processes on a loaded machine.
    """
    fn()
    best = np.inf
    for _ in range(repeats):
        n, elapsed = 1, 0.0
        while True:
            start = time.perf_counter()
            for _ in range(n):
                fn()
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
            n *= 2
        best = min(best, elapsed / n)
    return best


def cost_of_gradients(f=rosenbrock, dims=COST_DIMS, *, max_forward_dim=MAX_FORWARD_DIM):
    """Time a gradient three ways, each against its own evaluation of f (lecture 14).

    For every d: the reverse-mode gradient (forward + backward through the engine) over one
    pass through the engine; forward mode (d tangents in one pass) over one pass with a
    single tangent; centered differences (``derivatives.gradient``, 2d evaluations stacked
    in batches) over one NumPy evaluation of f. Returns the ratios and the raw times
    (seconds), with nan where forward mode is not run (d > ``max_forward_dim``).
    """
    callable_arg(f, "f")
    dims = np.asarray(dims, int)
    out = {k: np.full(dims.shape, np.nan) for k in ("f", "reverse", "forward", "fd", "engine_f",
                                                  "jvp")}  # fmt: skip
    value_and_grad = ad.value_and_grad(f)
    for i, d in enumerate(dims):
        x = np.linspace(-1.0, 1.5, int(d))
        out["f"][i] = _time(lambda x=x: f(x))
        out["engine_f"][i] = _time(lambda x=x: f(ad.Tensor(x)))
        out["reverse"][i] = _time(lambda x=x: value_and_grad(x))
        slow = d >= 10_000  # one centered-difference gradient there takes about a second
        out["fd"][i] = _time(
            lambda x=x: derivatives.gradient(f, x), min_time=0.0 if slow else 0.005,
            repeats=1 if slow else 3,
        )  # fmt: skip
        if d <= max_forward_dim:
            e = np.ones(int(d))
            out["jvp"][i] = _time(lambda x=x, e=e: ad.jvp(f, x, e))
            out["forward"][i] = _time(lambda x=x: ad.forward_gradient(f, x), repeats=2)
    ratios = {
        "reverse mode": out["reverse"] / out["engine_f"],
        "forward mode": out["forward"] / out["jvp"],
        "centered differences": out["fd"] / out["f"],
    }
    return ratios, out


def cost_figure(dims, ratios: dict) -> plots.Plot:
    """Time of a gradient over time of f against d, log-log, with the lines 2d and d."""
    fig, ax = plots.new_figure()
    styles = {"reverse mode": "o-", "forward mode": "s-", "centered differences": "^-"}
    for label, ratio in ratios.items():
        ax.plot(dims, ratio, styles.get(label, "o-"), label=label)
    dims = np.asarray(dims, float)
    ax.plot(dims, 2 * dims, "--", color="0.5", lw=1, label="2d (the evaluations FD makes)")
    ax.axhline(1.0, color="0.8", lw=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("dimension d")
    ax.set_ylabel("time of ∇f / time of f")
    ax.legend(fontsize=8)
    plots.title_axes(fig, "the cost of a gradient, in evaluations of f")
    return plots.Plot(fig, ax)


# --------------------------------------------------------------------------- lecture 10's network


def network_loss(theta, X, y):
    """Lecture 10's loss L(θ) = (1/n) Σᵢ (f(xᵢ) − yᵢ)² written with engine operations.

    f(x) = Σⱼ aⱼ relu(wⱼx + bⱼ) + c with θ = (w, b, a, c): only the forward pass; the engine
    derives the backward pass that :func:`course_lib.networks.mse_gradient` writes by hand.
    θ may be a batch (K, p) of parameter vectors, one loss each (the finite-sum protocol of
    :mod:`course_lib.stochastic`, which ``networks.train`` checks).
    """
    m = (theta.shape[-1] - 1) // 3
    w, b, a = theta[..., None, :m], theta[..., None, m : 2 * m], theta[..., None, 2 * m : 3 * m]
    c = theta[..., 3 * m :]  # shape (..., 1): one c per parameter vector
    hidden = ad.relu(X * w + b)  # X (n, 1) broadcasts against the m units: (..., n, m)
    prediction = ad.sum(hidden * a, axis=-1) + c  # Σⱼ aⱼ hⱼ + c: (..., n)
    return ad.mean((prediction - y) ** 2, axis=-1)


def network_gradient(theta, X, y):
    """∇L(θ) of :func:`network_loss` by reverse mode: a drop-in ``grad`` for ``networks.train``.

    For a batch (K, p) the rows are independent, so the gradient of the sum of the K losses
    is, row by row, each loss's gradient.
    """
    return ad.grad(lambda t: ad.sum(network_loss(t, X, y)))(theta)


def deep_network_loss(net: networks.ReLUNetwork, theta, X, y):
    """The loss of a :class:`~course_lib.networks.ReLUNetwork` with engine operations.

    a⁰ = X, aˡ = relu(aˡ⁻¹Wˡ + bˡ), f = aᴸ w_out + b_out; the weights are slices of θ
    reshaped to the layer shapes (:attr:`~course_lib.networks.ReLUNetwork.shapes`).
    """
    params, start = [], 0
    for shape in net.shapes:
        size = int(np.prod(shape))
        params.append(theta[start : start + size].reshape(*shape))
        start += size
    a = X
    for W, b in zip(params[0:-2:2], params[1:-2:2], strict=True):
        a = ad.relu(a @ W + b)
    out = a @ params[-2] + params[-1]  # (n, 1)
    return ad.mean((out.reshape(-1) - y) ** 2)


PANELS = {"forward and reverse sweep": sweep_panel}
