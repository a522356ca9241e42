"""Lecture 14's graph, reverse sweep, cost experiment and network losses, against references."""

import matplotlib.colors
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import rosen, rosen_der

from course_lib import autodiff as ad
from course_lib import derivatives, networks
from course_lib.panels import automatic_differentiation as lecture


def test_the_example_graph_has_the_nodes_edges_and_depths_of_the_expression():
    graph = lecture.trace(lecture.example, 2.0, 5.0)
    assert graph.labels == ["x₁", "x₂", "log", "×", "+", "sin", "−"]
    named = {(graph.labels[p], graph.labels[c]) for p, c in graph.edges}
    assert named == {
        ("x₁", "log"), ("x₁", "×"), ("x₂", "×"), ("x₂", "sin"),
        ("log", "+"), ("×", "+"), ("+", "−"), ("sin", "−"),
    }  # fmt: skip
    depth = dict(zip(graph.labels, graph.positions[:, 0], strict=True))
    assert depth == {"x₁": 0, "x₂": 0, "log": 1, "×": 1, "sin": 1, "+": 2, "−": 3}
    values = [float(n.value) for n in graph.nodes]
    np.testing.assert_allclose(
        values, [2.0, 5.0, np.log(2), 10.0, np.log(2) + 10, np.sin(5), np.log(2) + 10 - np.sin(5)]
    )


@settings(max_examples=30, deadline=None)
@given(x1=st.floats(0.1, 5.0), x2=st.floats(-5.0, 5.0))
def test_the_reverse_sweep_ends_with_the_analytic_gradient_and_finalises_in_order(x1, x2):
    graph = lecture.trace(lecture.example, x1, x2)
    steps = lecture.reverse_sweep(graph)
    assert len(steps) == len(graph.nodes) + 1
    final = steps[-1]["adjoints"]
    np.testing.assert_allclose(
        [final[0], final[1]], lecture.example_gradient(x1, x2), rtol=1e-13, atol=1e-13
    )
    # intermediate adjoints by hand: ∂f/∂(log) = ∂f/∂(×) = ∂f/∂(+) = 1, ∂f/∂(sin) = −1
    by_label = dict(zip(graph.labels, final, strict=True))
    assert [float(by_label[k]) for k in ("log", "×", "+", "sin", "−")] == [1, 1, 1, -1, 1]
    # when a node is processed, its adjoint is already final (reverse topological order)
    for step in steps[1:]:
        k = step["node"]
        np.testing.assert_array_equal(step["adjoints"][k], final[k])
    # before step 0 only the output's adjoint is known
    assert [a is None for a in steps[0]["adjoints"]] == [True] * 6 + [False]


@settings(max_examples=30, deadline=None)
@given(x1=st.floats(0.1, 5.0), x2=st.floats(-5.0, 5.0), u1=st.floats(-2, 2), u2=st.floats(-2, 2))
def test_the_forward_sweep_carries_the_tangents_of_the_chain_rule(x1, x2, u1, u2):
    graph = lecture.trace(lecture.example, x1, x2)
    steps = lecture.forward_sweep(graph, [u1, u2])
    final = dict(zip(graph.labels, steps[-1]["tangents"], strict=True))
    by_hand = {  # v̇ for each node, written out
        "x₁": u1, "x₂": u2, "log": u1 / x1, "×": u1 * x2 + x1 * u2, "sin": np.cos(x2) * u2,
        "+": u1 / x1 + u1 * x2 + x1 * u2, "−": u1 / x1 + u1 * x2 + x1 * u2 - np.cos(x2) * u2,
    }  # fmt: skip
    for label, value in by_hand.items():
        assert final[label] == pytest.approx(value, rel=1e-12, abs=1e-12), label
    g = lecture.example_gradient(x1, x2)
    assert final["−"] == pytest.approx(g @ [u1, u2], rel=1e-12, abs=1e-12)
    # step k has computed exactly the first k nodes, in evaluation order
    for k, step in enumerate(steps):
        assert [t is not None for t in step["tangents"]] == [i < k for i in range(len(graph.nodes))]


def test_forward_sweep_refuses_a_wrong_direction_or_arrays():
    graph = lecture.trace(lecture.example, 2.0, 5.0)
    with pytest.raises(ValueError, match="direction must have one entry per input"):
        lecture.forward_sweep(graph, [1.0])
    arrays = lecture.trace(lambda x: ad.sum(x * x), np.ones(3))
    with pytest.raises(ValueError, match="graphs of scalars"):
        lecture.forward_sweep(arrays, [1.0])


def test_the_panel_in_forward_mode_shows_tangents_and_ends_with_one_partial():
    panel = lecture.sweep_panel()
    for mode, partial in (("forward, ẋ = e₁", 0), ("forward, ẋ = e₂", 1)):
        readout = panel.set(mode=mode, step=7)
        g = lecture.example_gradient(2.0, 5.0)[partial]
        texts = [t.get_text() for t in panel.artists["adjoints"]]
        assert all(t.startswith("v̇ = ") for t in texts)
        assert texts[-1] == f"v̇ = {g:.4g}" and f"= {g:.4g}" in readout
        assert "one directional derivative" in readout
    panel.set(mode="reverse", step=0)
    assert panel.artists["adjoints"][-1].get_text() == "v̄ = 1"
    assert panel.background_draws == 1


def test_the_panel_moves_colours_texts_and_edges_and_never_rebuilds():
    panel = lecture.sweep_panel()
    ax = panel.figure.axes[0]
    before = (list(ax.texts), list(ax.collections))
    a = panel.artists
    for k in (0, 3, 4, 7, 1):
        readout = panel.set(step=k)
        steps = a["steps"]
        graph = a["graph"]
        assert readout.startswith(f"step {k}")
        shown = [t.get_text() for t in a["adjoints"]]
        expected = ["v̄ = ?" if v is None else f"v̄ = {float(v):.4g}" for v in steps[k]["adjoints"]]
        assert shown == expected
        colours = a["dots"].get_facecolor()
        current_rgb = matplotlib.colors.to_rgb(lecture.CURRENT)  # the palette's orange
        orange = np.all(np.isclose(colours[:, :3], current_rgb, atol=0.01), axis=1)
        assert orange.sum() == (k > 0)
        current = steps[k]["node"]
        parents = [p for p, c in graph.edges if c == current] if k else []
        assert len(a["highlight"].get_segments()) == len(parents)
    assert (list(ax.texts), list(ax.collections)) == before
    assert panel.background_draws == 1  # only the moving artists were redrawn
    moving = panel._animated
    assert all(moving.index(t) > moving.index(a["dots"]) for t in a["labels"])  # on top


def test_moving_the_inputs_recomputes_values_and_gradient():
    panel = lecture.sweep_panel()
    readout = panel.set(x1=1.0, x2=-2.0, step=7)
    a = panel.artists
    values = [t.get_text() for t in a["values"]]
    assert values[-1] == f"v = {np.log(1.0) - 2.0 - np.sin(-2.0):.4g}"
    g = lecture.example_gradient(1.0, -2.0)
    assert a["adjoints"][0].get_text() == f"v̄ = {g[0]:.4g}"
    assert a["adjoints"][1].get_text() == f"v̄ = {g[1]:.4g}"
    assert readout.startswith("step 7: x₁ is an input")


def test_panel_refuses_values_outside_its_range():
    panel = lecture.sweep_panel()
    with pytest.raises(ValueError, match="step"):
        panel.set(step=8)
    with pytest.raises(ValueError, match="x1"):
        panel.set(x1=0.0)
    with pytest.raises(TypeError, match="f must compute with its inputs"):
        lecture.trace(lambda x: 3.0, 1.0)
    with pytest.raises(ValueError, match="names"):
        lecture.trace(lecture.example, 1.0, 2.0, names=["a"])


def test_graph_figure_shows_the_finished_sweep_by_default():
    plot = lecture.graph_figure()
    texts = [t.get_text() for t in plot.artists["adjoints"]]
    assert texts[:2] == ["v̄ = 5.5", f"v̄ = {2 - np.cos(5):.4g}"]
    assert plot._repr_png_().startswith(b"\x89PNG")


# --------------------------------------------------------------------------- cost


def test_rosenbrock_is_scipys_and_every_mode_differentiates_it():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1.5, 1.5, size=(4, 9))
    np.testing.assert_allclose(lecture.rosenbrock(X), [rosen(x) for x in X], rtol=1e-14)
    x = X[0]
    exact = rosen_der(x)
    np.testing.assert_allclose(ad.grad(lecture.rosenbrock)(x), exact, rtol=1e-13)
    np.testing.assert_allclose(ad.forward_gradient(lecture.rosenbrock, x), exact, rtol=1e-13)
    np.testing.assert_allclose(derivatives.gradient(lecture.rosenbrock, x), exact, rtol=1e-7)


def test_cost_of_gradients_returns_ratios_for_every_d_and_skips_forward_mode_above_its_cap():
    dims = np.array([4, 16, 40])
    ratios, times = lecture.cost_of_gradients(dims=dims, max_forward_dim=16)
    assert set(ratios) == {"reverse mode", "forward mode", "centered differences"}
    for key in ("f", "engine_f", "reverse", "fd"):
        assert np.all(times[key] > 0)
    assert np.all(np.isfinite(ratios["forward mode"][:2])) and np.isnan(ratios["forward mode"][2])
    np.testing.assert_allclose(ratios["reverse mode"], times["reverse"] / times["engine_f"])
    plot = lecture.cost_figure(dims, ratios)
    np.testing.assert_allclose(plot.ax.lines[3].get_ydata(), 2 * dims)


def test_the_graph_of_the_gradient_does_not_grow_with_d():
    sizes = []
    for d in (10, 1000):
        out = lecture.rosenbrock(ad.Tensor(np.linspace(-1.0, 1.0, d)))
        sizes.append(len(ad.topological_order(out)))
    assert sizes[0] == sizes[1]


# --------------------------------------------------------------------------- networks


@settings(max_examples=15, deadline=None)
@given(units=st.integers(1, 12), seed=st.integers(0, 1000))
def test_the_engine_network_matches_lecture_10s_loss_and_hand_written_backprop(units, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, 25)
    X, y = x[:, None], np.sin(3 * x)
    theta = networks.init_params(units, seed=seed)
    value, g = ad.value_and_grad(lecture.network_loss)(theta, X, y)
    assert value == pytest.approx(float(networks.mse_loss(theta, X, y)), rel=1e-13)
    np.testing.assert_allclose(g, networks.mse_gradient(theta, X, y), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(lecture.network_gradient(theta, X, y), g, rtol=0, atol=0)


def test_the_engine_deep_network_matches_relunetwork_and_finite_differences():
    net = networks.ReLUNetwork(3, (6, 4))
    rng = np.random.default_rng(3)
    X, y = rng.uniform(-1.0, 1.0, size=(40, 3)), rng.normal(size=40)
    theta = net.init(seed=1) + 0.1 * rng.standard_normal(net.n_parameters)

    def loss(t):
        return lecture.deep_network_loss(net, t, X, y)

    value, g = ad.value_and_grad(loss)(theta)
    assert value == pytest.approx(float(net.loss(theta, X, y)), rel=1e-13)
    np.testing.assert_allclose(g, net.gradient(theta, X, y), rtol=1e-11, atol=1e-13)
    numerical = derivatives.gradient(lambda t: net.loss(t, X, y), theta)
    np.testing.assert_allclose(g, numerical, rtol=1e-6, atol=1e-8)


def test_network_gradient_follows_the_finite_sum_protocol_on_a_batch_of_weights():
    # networks.train checks its grad on a batch (K, p) of weight vectors: row k is ∇L(θ[k])
    x = np.linspace(-1.0, 1.0, 12)
    X, y = x[:, None], np.cos(2 * x)
    thetas = np.stack([networks.init_params(4, seed=s) for s in (0, 1, 2)])
    batched = lecture.network_gradient(thetas, X, y)
    assert batched.shape == thetas.shape
    for row, theta in zip(batched, thetas, strict=True):
        np.testing.assert_allclose(row, networks.mse_gradient(theta, X, y), rtol=1e-11, atol=1e-13)


def test_training_with_engine_gradients_follows_the_hand_written_run():
    x = np.linspace(-1.0, 1.0, 40)
    X, y = x[:, None], np.abs(x)
    theta0 = networks.init_params(6, seed=2)
    by_hand = networks.train(X, y, theta0, 0.05, batch_size=8, epochs=20)
    by_engine = networks.train(
        X, y, theta0, 0.05, batch_size=8, epochs=20, grad=lecture.network_gradient
    )
    np.testing.assert_allclose(by_engine.iterates, by_hand.iterates, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", sorted(lecture.PANELS))
def test_every_listed_panel_builds_without_arguments_and_renders(name):
    panel = lecture.PANELS[name]()
    assert panel.png.startswith(b"\x89PNG")
    assert panel.readout
