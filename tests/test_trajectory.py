"""The shared iteration loop: stopping rules, freezing of stopped runs, batch = single runs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.trajectory import CONVERGED, DIVERGED, MAX_ITER, Trajectory, iterate, settle


def _scalar_quadratic_run(lr, x0, lam=1.0, max_iter=200, tol=1e-10):
    """GD on f(x) = ½ λ x² written out by hand, through the shared loop."""
    lr = np.asarray(lr, float)

    def step(x, g, t):
        return x - lr[..., None] * g

    return iterate(
        step,
        np.broadcast_to(np.asarray(x0, float), (*lr.shape, 1)).copy(),
        lambda x: 0.5 * lam * np.sum(x**2, -1),
        lambda x: lam * x,
        max_iter=max_iter,
        tol=tol,
        method="test-gd",
        params={"learning_rate": lr},
    )


def test_iterates_follow_the_closed_form_of_gradient_descent_on_a_parabola():
    traj = _scalar_quadratic_run(0.3, [2.0], lam=1.0, max_iter=10, tol=0.0)
    expected = 2.0 * (1 - 0.3) ** np.arange(11)
    np.testing.assert_allclose(traj.iterates[:, 0], expected, rtol=1e-14)
    np.testing.assert_allclose(traj.losses, 0.5 * expected**2, rtol=1e-14)
    np.testing.assert_allclose(traj.grad_norms, np.abs(expected), rtol=1e-14)
    assert traj.status == MAX_ITER and int(traj.stopped_at) == 10


def test_a_run_stops_as_converged_when_the_gradient_norm_reaches_tol():
    traj = _scalar_quadratic_run(0.5, [1.0], tol=1e-6)
    assert traj.status == CONVERGED
    stop = int(traj.stopped_at)
    assert traj.grad_norms[stop] <= 1e-6 < traj.grad_norms[stop - 1]
    assert traj.iterates.shape == (stop + 1, 1)


def test_divergence_is_a_status_and_raises_no_overflow_warning():
    # |1 - ηλ| = 2.5 > 1: the iterates grow geometrically and would overflow.
    with np.errstate(all="raise"):
        traj = _scalar_quadratic_run(3.5, [1.0], max_iter=5000)
    assert traj.status == DIVERGED
    assert int(traj.stopped_at) < 5000


def test_stopped_runs_are_frozen_while_the_others_continue():
    traj = _scalar_quadratic_run([0.5, 0.01, 3.0], [1.0], max_iter=50, tol=1e-8)
    assert list(traj.status) == [CONVERGED, MAX_ITER, DIVERGED]
    for k in (0, 2):
        stop = traj.stopped_at[k]
        assert np.all(traj.iterates[k, stop:] == traj.iterates[k, stop])
    assert traj.iterates.shape == (3, 51, 1)


def test_run_of_a_batch_equals_the_single_run_with_the_same_setting():
    rates = [0.5, 0.01, 1.9, 2.5]
    batch = _scalar_quadratic_run(rates, [1.5], max_iter=40, tol=1e-9)
    for k, lr in enumerate(rates):
        single = _scalar_quadratic_run(lr, [1.5], max_iter=40, tol=1e-9)
        one = batch.run(k)
        np.testing.assert_array_equal(one.iterates, single.iterates)
        np.testing.assert_array_equal(one.losses, single.losses)
        assert one.status == single.status
        assert int(one.stopped_at) == int(single.stopped_at)
        assert float(one.params["learning_rate"]) == lr


def test_final_and_repr_describe_the_run():
    traj = _scalar_quadratic_run(0.5, [1.0], tol=1e-6)
    assert traj.final.shape == (1,)
    assert "converged" in repr(traj)
    batch = _scalar_quadratic_run([0.5, 3.0], [1.0])
    assert "1 converged" in repr(batch) and "1 diverged" in repr(batch)
    assert isinstance(batch, Trajectory) and batch.batch_shape == (2,)


def test_run_of_a_single_run_is_refused_with_a_clear_message():
    traj = _scalar_quadratic_run(0.5, [1.0])
    with pytest.raises(ValueError, match="batched trajectory"):
        traj.run(0)


def test_distance_to_is_the_error_norm_of_every_iterate_of_every_run():
    rng = np.random.default_rng(3)
    iterates = rng.normal(size=(4, 6, 3))
    traj = Trajectory(
        iterates, np.zeros((4, 6)), np.zeros((4, 6)), np.full(4, "max_iter"), np.full(4, 5)
    )
    point = rng.normal(size=3)
    expected = np.sqrt(((iterates - point) ** 2).sum(axis=-1))
    np.testing.assert_allclose(traj.distance_to(point), expected, rtol=1e-14)


def _replay(xs, fs, gns, tol):
    """iterate() driven through a stored run: step t returns x_{t+1}, the oracle f and g."""
    calls = iter(range(len(fs)))

    def value_and_gradient(x):
        t = next(calls)
        g = np.zeros(xs.shape[-1])
        g[0] = gns[t]
        return fs[t], g

    return iterate(
        lambda x, g, t: xs[t + 1],
        xs[0],
        None,
        None,
        max_iter=len(fs) - 1,
        tol=tol,
        method="replay",
        params={},
        value_and_gradient=value_and_gradient,
    )


_ENTRIES = st.one_of(
    st.floats(0.0, 10.0),
    st.sampled_from([0.0, 1e-12, 1e12, 1e300, np.inf, -np.inf, np.nan]),
)
# Gradient norms the replay's g = (gn, 0, ...) reproduces exactly: ||g|| = sqrt(gn²) = gn
# with no under- or overflow in the square.
_NORMS = st.one_of(
    st.floats(0.0, 10.0, allow_subnormal=False).filter(lambda v: v == 0 or v > 1e-150),
    st.sampled_from([0.0, 1e-12, 1e12, np.inf, np.nan]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.tuples(
            st.lists(_ENTRIES, min_size=n, max_size=n),
            st.lists(_ENTRIES, min_size=n, max_size=n),
            st.lists(_NORMS, min_size=n, max_size=n),
        )
    ),
    st.sampled_from([0.0, 1e-6, 1.0]),
)
def test_settle_cuts_a_finished_run_where_iterate_would_have_stopped_it(run, tol):
    x0, f, gn = (np.array(v, float) for v in run)
    xs = np.stack([x0, -x0], axis=-1)  # (T + 1, 2)
    expected = _replay(xs, f, gn, tol)
    got = settle(xs, f, gn, tol=tol, method="replay", params={})
    assert str(got.status) == str(expected.status)
    assert int(got.stopped_at) == int(expected.stopped_at)
    np.testing.assert_array_equal(got.iterates, expected.iterates)
    np.testing.assert_array_equal(got.losses, expected.losses)
    np.testing.assert_array_equal(got.grad_norms, expected.grad_norms)
