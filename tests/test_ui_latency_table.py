"""The slider-latency table (make bench-ui) shows each lecture's first and heaviest panel."""

from __future__ import annotations

import math

from benchmarks.ui_latency import _render, shown, summarize


def _m(p95):
    return {
        "slider": "η",
        "median": p95 / 2,
        "p95": p95,
        "kernel": p95 / 8,
        "transfer": p95 / 4,
        "paint": p95 / 8,
        "missed": 0,
        "burst": 2 * p95,
    }


def test_table_shows_first_panel_and_the_heaviest_when_another_is_slower():
    rows = [
        ("01_a", 0, "JupyterLab", _m(50.0)),
        ("01_a", 1, "JupyterLab", _m(120.0)),
        ("01_a", 2, "JupyterLab", _m(80.0)),
        ("02_b", 0, "JupyterLab", _m(90.0)),
        ("02_b", 1, "JupyterLab", _m(40.0)),
        ("02_b", 0, "Voila", _m(60.0)),
        ("03_c", 0, "Voila", _m(math.nan)),
        ("03_c", 1, "Voila", _m(30.0)),
    ]
    picked = [(r[0], r[1], r[2]) for r in shown(rows)]
    assert picked == [
        ("01_a", 0, "JupyterLab"),
        ("01_a", 1, "JupyterLab"),  # the heaviest of three
        ("02_b", 0, "JupyterLab"),  # the first is also the heaviest: shown once
        ("02_b", 0, "Voila"),
        ("03_c", 0, "Voila"),  # a panel that never redrew (nan) is shown, not hidden
        ("03_c", 1, "Voila"),
    ]
    text = _render(rows)
    assert "| 01_a | 1 | η | JupyterLab | 60 | 120.0 | < 100 | ❌ | 15 | 30 | 15 |" in text
    assert "| 02_b | 0 | η | Voila | 30 | 60.0 | < 70 | ✅ | 8 | 15 | 8 |" in text


def test_a_move_is_split_into_kernel_transfer_and_paint_medians_and_misses_are_counted():
    nan = math.nan
    moves = [
        {"latency": 50.0, "kernel": 10.0, "transfer": 30.0, "paint": 10.0},
        {"latency": 70.0, "kernel": 20.0, "transfer": 35.0, "paint": 15.0},
        {"latency": 90.0, "kernel": 30.0, "transfer": 40.0, "paint": 20.0},
        {"latency": nan, "kernel": nan, "transfer": nan, "paint": nan},
    ]
    m = summarize(moves, 120.0, "β")
    assert (m["median"], m["p95"], m["missed"]) == (70.0, 90.0, 1)
    assert (m["kernel"], m["transfer"], m["paint"]) == (20.0, 35.0, 15.0)
    none = summarize([], nan, "none redraws")
    assert math.isnan(none["p95"]) and none["missed"] == 0
