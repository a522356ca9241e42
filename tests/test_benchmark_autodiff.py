"""Smoke test of the autodiff benchmark case: it runs, agrees with its anchors, and its
hand-written anchors are right. Timings are never asserted."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import autodiff as case
from benchmarks import harness
from benchmarks.common import rosen, rosen_grad

TINY = harness.Context(quick=True, repeats=1, budget=0.05)


def test_autodiff_case_runs_and_agrees_with_finite_differences_forward_mode_and_torch():
    rows = case.run(TINY)
    anchors = {r.anchor for r in rows}
    assert {
        "finite differences (derivatives.gradient)",
        "autodiff forward mode (d tangents)",
    } <= anchors
    assert all(r.agree for r in rows)
    assert all(r.ours_err <= 1e-13 for r in rows)
    assert all(r.ours_s > 0 and r.anchor_s > 0 for r in rows)


def test_engine_rosenbrock_and_torch_anchor_match_the_exact_gradient():
    x = np.random.default_rng(4).uniform(-1.5, 1.5, 11)
    assert float(case.engine_rosen(x)) == pytest.approx(float(rosen(x)), rel=1e-15)
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(case.torch_gradient(torch, x), rosen_grad(x), rtol=1e-13)
