"""The adaptive-method benchmark case: it agrees with torch, and skips cleanly without it."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from benchmarks import adaptive_epoch, harness


def test_adaptive_case_skips_cleanly_without_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    ctx = harness.Context(quick=True, repeats=1, budget=0.05)
    assert adaptive_epoch.run(ctx) == []
    assert any("torch is not installed" in s for s in ctx.skipped)


def test_torch_anchor_is_the_library_update_on_the_same_permutation():
    torch = pytest.importorskip("torch")
    from course_lib import adaptive

    X, y, w0 = adaptive_epoch._data(300, 4)
    perm = adaptive_epoch.epoch_permutation(300, 16, 3)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for method in adaptive_epoch.METHODS:
        got = adaptive_epoch.torch_slicing(method, Xt, yt, w0, 0.05, 16, torch.from_numpy(perm))
        ours = getattr(adaptive, method)(X, y, w0, 0.05, batch_size=16, seed=3).final
        np.testing.assert_allclose(got, ours, rtol=1e-12, err_msg=method)
