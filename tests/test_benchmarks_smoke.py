"""Smoke tests of the benchmark suite: the cases import, a tiny one runs and agrees.

Timings are never asserted. The hand-written anchors (the student loops, the naive broadcast)
are checked against independent references, since a wrong anchor would make a ratio
meaningless.
"""

from __future__ import annotations

import importlib
import time

import numpy as np
import pytest

from benchmarks import harness, run

TINY = harness.Context(quick=True, repeats=1, budget=0.05)


@pytest.mark.parametrize("name", run.CASES)
def test_every_case_module_has_a_title_a_description_and_a_run_function(name):
    module = importlib.import_module(f"benchmarks.{name}")
    assert module.TITLE and module.DESCRIPTION
    assert callable(module.run)


def test_loss_surface_case_runs_and_agrees_with_the_naive_broadcast():
    rows = importlib.import_module("benchmarks.loss_surface").run(TINY)
    assert rows and all(r.agree for r in rows)
    assert all(r.ours_s > 0 and r.anchor_s > 0 for r in rows)


def test_hessian_case_runs_and_agrees_with_scipy_and_numdifftools():
    rows = importlib.import_module("benchmarks.hessian").run(TINY)
    assert {r.anchor for r in rows} >= {"numdifftools.Hessian(f)"}
    assert all(r.agree for r in rows)
    assert all(r.ours_err <= 1e-6 for r in rows)


def test_naive_surface_matches_the_mean_squared_residual_point_by_point():
    from benchmarks.loss_surface import naive_surface

    rng = np.random.default_rng(1)
    x, y = rng.normal(size=50), rng.normal(size=50)
    slopes, intercepts = np.linspace(-1, 1, 7), np.linspace(-2, 2, 5)
    surface = naive_surface(x, y, slopes, intercepts, slab_bytes=1)  # one slope per slab
    for i, m in enumerate(slopes):
        for j, b in enumerate(intercepts):
            assert surface[i, j] == pytest.approx(np.mean((m * x + b - y) ** 2), rel=1e-12)


def test_student_gradient_loop_matches_the_exact_rosenbrock_gradient():
    from scipy.optimize import rosen, rosen_der

    from benchmarks.gradient import student_loop

    x = np.random.default_rng(2).uniform(-1.5, 1.5, 12)
    g = student_loop(rosen, x, 1e-5)
    np.testing.assert_allclose(g, rosen_der(x), rtol=1e-7, atol=1e-6)


def test_plain_rosenbrock_helpers_match_scipy():
    from scipy.optimize import rosen, rosen_der, rosen_hess

    from benchmarks.common import rosen as ours
    from benchmarks.common import rosen_grad, rosen_hess_tridiagonal

    x = np.random.default_rng(3).uniform(-2, 2, 9)
    assert ours(x) == pytest.approx(rosen(x), rel=1e-14)
    np.testing.assert_allclose(rosen_grad(x), rosen_der(x), rtol=1e-13)
    diag, off = rosen_hess_tridiagonal(x)
    H = rosen_hess(x)
    np.testing.assert_allclose(np.diag(H), diag, rtol=1e-13)
    np.testing.assert_allclose(np.diag(H, 1), off, rtol=1e-13)
    # the batched form equals the row-by-row form
    X = np.random.default_rng(4).normal(size=(5, 9))
    np.testing.assert_allclose(ours(X), [rosen(r) for r in X], rtol=1e-14)


def test_sgd_anchor_loops_agree_with_each_other_for_the_same_permutation():
    from benchmarks.sgd_epoch import numpy_minimal, python_loop

    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(100, 3)), rng.normal(size=100)
    perm = rng.permutation(100)
    for B in (1, 7, 32):
        np.testing.assert_allclose(
            numpy_minimal(X, y, np.zeros(3), 0.05, B, perm),
            python_loop(X, y, np.zeros(3), 0.05, B, perm),
            rtol=1e-12,
        )


def test_torch_anchor_loops_agree_with_the_numpy_loop_to_1e_10():
    torch = pytest.importorskip("torch")
    from benchmarks.sgd_epoch import numpy_minimal, torch_dataloader, torch_slicing

    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(200, 4)), rng.normal(size=200)
    perm = rng.permutation(200)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    expected = numpy_minimal(X, y, np.zeros(4), 0.05, 16, perm)
    got_slicing = torch_slicing(Xt, yt, np.zeros(4), 0.05, 16, torch.from_numpy(perm))
    got_loader = torch_dataloader(Xt, yt, np.zeros(4), 0.05, 16, perm)
    np.testing.assert_allclose(got_slicing, expected, rtol=1e-10)
    np.testing.assert_allclose(got_loader, expected, rtol=1e-10)


def test_median_time_takes_a_single_sample_when_a_call_exceeds_the_budget():
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.02)

    t = harness.median_time(slow, repeats=7, budget=0.03)
    assert len(calls) == 1
    assert t >= 0.02


def test_median_time_repeats_fast_calls_and_returns_the_time_of_one_call():
    t = harness.median_time(lambda: time.sleep(0.001), repeats=3, min_time=0.005)
    assert 0.001 <= t < 0.05


def test_agreement_reports_the_relative_error_against_the_tolerance():
    ok, detail = harness.agreement([1.0, 2.0 + 1e-9], [1.0, 2.0], 1e-8)
    assert ok and "≤" in detail
    ok, detail = harness.agreement([1.0, 2.1], [1.0, 2.0], 1e-8)
    assert not ok and ">" in detail
    ok, _ = harness.agreement([np.nan], [1.0], 1.0)
    assert not ok


def test_row_ratio_and_bar_are_anchor_over_ours():
    row = harness.Row("c", "s", "ours", 0.5, "anchor", 5.0).require_speedup(10)
    assert row.ratio == pytest.approx(10.0)
    assert row.met is True
    table = harness.markdown_table([row, harness.Row("c", "s", "o", 1.0, "a", None)])
    assert "≥ 10× ✅" in table and "| — |" in table


def test_run_exits_non_zero_when_a_case_disagrees_with_its_anchor(monkeypatch):
    module = importlib.import_module("benchmarks.loss_surface")
    bad = harness.Row("c", "s", "ours", 1.0, "anchor", 1.0, agree=False)
    monkeypatch.setattr(module, "run", lambda ctx: [bad])
    assert run.main(["--quick", "--no-write", "--only", "loss_surface"]) == 1


def test_run_exits_non_zero_when_a_case_raises(monkeypatch):
    module = importlib.import_module("benchmarks.loss_surface")

    def broken(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(module, "run", broken)
    assert run.main(["--quick", "--no-write", "--only", "loss_surface"]) == 1


def test_run_writes_a_results_file_with_machine_and_versions(tmp_path, monkeypatch):
    module = importlib.import_module("benchmarks.loss_surface")
    good = harness.Row("c", "s", "ours", 1.0, "anchor", 3.0, agree=True).require_speedup(100)
    monkeypatch.setattr(module, "run", lambda ctx: [good])
    out = tmp_path / "RESULTS.md"
    assert run.main(["--quick", "--only", "loss_surface", "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "CPU:" in text and "numpy" in text and "6. Line-fit loss surface" in text
    assert "## Bars not met" in text and "≥ 100×" in text.split("## Bars not met")[1]
