"""Case: one epoch of an adaptive method (AdaGrad, RMSProp, Adam, AdamW) on least squares.

course_lib's ``adaptive.adam`` (and friends) against ``torch.optim.Adam`` (and friends) on
CPU float64 tensors, in the slicing loop of the SGD case (``benchmarks/sgd_epoch.py``): the
same permutation, learning rate and defaults, the mean gradient (1/B) Xbᵀ(Xb w − yb) of
½ mean r², torch computing it by autograd. A second row per setting runs a sweep of
``SWEEP`` learning rates: one course_lib call (the runs share every batch) against
``SWEEP`` torch runs. Weights must agree with torch's to 1e-10.
"""

from __future__ import annotations

import numpy as np

from benchmarks.harness import Context, Row, agreement, format_seconds
from benchmarks.sgd_epoch import _data, epoch_permutation

TITLE = "8. One adaptive-method epoch (linear least squares, torch.optim's defaults)"
DESCRIPTION = (
    "`adaptive.adagrad / rmsprop / adam / adamw(X, y, w0, η, batch_size=B, epochs=1, seed=s)` "
    "against the same `torch.optim` class on float64 CPU tensors in a slicing loop over the "
    "shuffled tensor (zero_grad, forward, backward, step), and a sweep of 8 learning rates: "
    "one course_lib call against 8 torch runs. Same permutation; weights must agree with "
    "torch's to 1e-10. No bar is set: the rows say what the adaptive update costs beside "
    "torch's optimizer step."
)

TOL = 1e-10
SWEEP = 8
METHODS = ("adagrad", "rmsprop", "adam", "adamw")
TORCH_NAMES = {"adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW"}


def torch_slicing(method, Xt, yt, w0, lr, batch_size, perm_t, steps=None):
    """torch.optim.<method> (its defaults) over slices of the shuffled tensors."""
    import torch

    n = perm_t.numel() if steps is None else min(perm_t.numel(), steps * batch_size)
    Xp, yp = Xt[perm_t[:n]], yt[perm_t[:n]]
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, TORCH_NAMES[method])([w], lr=lr)
    for s in range(0, n, batch_size):
        opt.zero_grad()
        r = Xp[s : s + batch_size] @ w - yp[s : s + batch_size]
        (0.5 * (r * r).mean()).backward()
        opt.step()
    return w.detach().numpy()


def run(ctx: Context) -> list[Row]:
    try:
        import torch
    except ImportError:
        ctx.skip(TITLE, "torch is not installed: this case is skipped (pip install torch)")
        return []

    Xw, yw, ww = _data(64, 3)  # torch's first optimizer step pays a one-off set-up
    for method in METHODS:
        torch_slicing(
            method, torch.from_numpy(Xw), torch.from_numpy(yw), ww, 0.01, 8, torch.arange(64)
        )

    n = ctx.size(100_000, 2_000)
    d, B, seed = 10, 32, 7
    X, y, w0 = _data(n, d)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    perm_t = torch.from_numpy(epoch_permutation(n, B, seed))
    rows = []
    for method in METHODS:
        rows += _method_rows(ctx, method, X, y, w0, Xt, yt, perm_t, B, seed)
    return rows


def _method_rows(ctx, method, X, y, w0, Xt, yt, perm_t, B, seed):
    """A single run and a sweep of SWEEP learning rates, each against torch."""
    from course_lib import adaptive

    ours = getattr(adaptive, method)
    n, d = X.shape
    T = n // B
    lrs = np.geomspace(1e-3, 1e-1, SWEEP)
    setting = f"{TORCH_NAMES[method]}, n = {n:.0e}, d = {d}, B = {B}".replace("e+0", "e")

    t_ours, w_ours = ctx.timed(lambda: ours(X, y, w0, 0.01, batch_size=B, seed=seed).final)
    t_torch, w_torch = ctx.timed(lambda: torch_slicing(method, Xt, yt, w0, 0.01, B, perm_t))
    ok, detail = agreement(w_ours, w_torch, TOL)
    note = f"{T} steps; ours {format_seconds(t_ours / T)}/step"
    name = f"torch.optim.{TORCH_NAMES[method]}, slicing loop"
    rows = [Row(TITLE, setting, method, t_ours, name, t_torch, ok, detail, note=note)]

    t_sweep, w_sweep = ctx.timed(lambda: ours(X, y, w0, lrs, batch_size=B, seed=seed).final)

    def torch_sweep():
        return np.array([torch_slicing(method, Xt, yt, w0, lr, B, perm_t) for lr in lrs])

    t_tsweep, w_tsweep = ctx.timed(torch_sweep)
    ok, detail = agreement(w_sweep, w_tsweep, TOL)
    rows.append(
        Row(
            TITLE,
            setting + f", {SWEEP} η's",
            f"{method}, one call",
            t_sweep,
            f"{SWEEP} torch runs",
            t_tsweep,
            ok,
            detail,
            note=f"ours {format_seconds(t_sweep / (T * SWEEP))} per run-step",
        )
    )
    return rows
