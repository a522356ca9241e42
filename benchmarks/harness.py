"""Side-by-side timing: course_lib and its anchor on identical inputs, in one process.

A benchmark case is a function that yields :class:`Row` objects. Each row times two callables
(ours and the anchor's) with :func:`median_time`, checks that their results agree, and reports
the ratio anchor / ours (> 1 means course_lib is faster). ``--quick`` shrinks every case so the
whole suite runs in under a minute as a smoke test: it checks that every case runs and agrees
with its anchor, and never fails on a timing.
"""

from __future__ import annotations

import gc
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Row:
    """One line of the results table."""

    case: str
    setting: str
    ours_s: float
    anchor: str
    anchor_s: float | None
    agree: bool | None = None
    note: str = ""
    bar: float | None = None  # the ratio anchor/ours the issue asks for, if any

    @property
    def ratio(self) -> float | None:
        if self.anchor_s is None or self.ours_s <= 0:
            return None
        return self.anchor_s / self.ours_s

    @property
    def meets_bar(self) -> bool | None:
        if self.bar is None or self.ratio is None:
            return None
        return self.ratio >= self.bar


@dataclass
class Context:
    """Settings shared by all cases."""

    quick: bool = False
    repeats: int = 7
    skipped: list = field(default_factory=list)

    def size(self, full, quick):
        return quick if self.quick else full


def median_time(fn: Callable[[], object], *, repeats: int = 7, min_time: float = 0.02) -> float:
    """Median wall time of ``fn()`` in seconds.

    Each sample runs ``fn`` enough times to last at least ``min_time`` (so that microsecond
    calls are not dominated by timer resolution), after one warm-up call; garbage collection is
    off while timing.
    """
    fn()
    t0 = time.perf_counter()
    fn()
    once = time.perf_counter() - t0
    inner = max(1, int(min_time / max(once, 1e-9)))
    samples = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            samples.append((time.perf_counter() - t0) / inner)
    finally:
        if gc_was:
            gc.enable()
    return float(np.median(samples))


def cpu_description() -> str:
    """The CPU model and core count, read from /proc/cpuinfo where it exists."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import os

    return f"{model}, {os.cpu_count()} logical cores"


def library_versions() -> dict:
    """Versions of the libraries that appear in the table (missing ones omitted)."""
    import importlib

    versions = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "numdifftools", "torch", "matplotlib"):
        try:
            versions[name] = importlib.import_module(name).__version__
        except ImportError:
            continue
    return versions


def format_seconds(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def markdown_table(rows: list[Row]) -> str:
    lines = [
        "| case | setting | course_lib | anchor | anchor time | ratio (anchor / ours) | bar | agree | note |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        ratio = "—" if r.ratio is None else f"{r.ratio:.1f}×"
        bar = "—" if r.bar is None else f"≥ {r.bar:g}× {'✅' if r.meets_bar else '❌'}"
        agree = {None: "—", True: "yes", False: "NO"}[r.agree]
        lines.append(
            f"| {r.case} | {r.setting} | {format_seconds(r.ours_s)} | {r.anchor} | "
            f"{format_seconds(r.anchor_s)} | {ratio} | {bar} | {agree} | {r.note} |"
        )
    return "\n".join(lines)
