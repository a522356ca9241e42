"""Side-by-side timing: course_lib and its anchor on identical inputs, in one process.

A benchmark case is a module with a ``run(ctx)`` function that returns :class:`Row` objects.
Each row times two callables (ours and the anchor's) with :func:`median_time`, checks that
their results agree, and reports the ratio anchor / ours (> 1 means course_lib is faster).
``--quick`` shrinks every case so the whole suite runs in under a minute as a smoke test: it
checks that every case runs and agrees with its anchor, and never fails on a timing.
"""

from __future__ import annotations

import gc
import os
import platform
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Row:
    """One line of a results table.

    ``ours_s`` and ``anchor_s`` are median wall times in seconds. ``agree`` says whether the
    two results agree within the tolerance named in ``agree_detail``. ``bar`` is the target
    the issue sets for this row, in words ("≥ 10×"), and ``met`` whether it was reached
    (``None`` when the row carries no bar). ``ours_err`` / ``anchor_err`` are errors against
    an exact reference, where one exists.
    """

    case: str
    setting: str
    ours: str
    ours_s: float | None
    anchor: str
    anchor_s: float | None
    agree: bool | None = None
    agree_detail: str = ""
    ours_err: float | None = None
    anchor_err: float | None = None
    bar: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """anchor time / our time (> 1: course_lib is faster)."""
        if self.anchor_s is None or self.ours_s is None or self.ours_s <= 0:
            return None
        return self.anchor_s / self.ours_s

    def require_speedup(self, factor: float) -> Row:
        """Set the bar "anchor / ours ≥ factor" and whether it is met."""
        self.bar = f"≥ {factor:g}×"
        self.met = None if self.ratio is None else bool(self.ratio >= factor)
        return self


@dataclass
class Context:
    """Settings shared by all cases.

    ``budget`` is the wall time (seconds) a single timed callable may spend in total; slow
    anchors are timed with fewer repeats (at least one) to stay inside it.
    """

    quick: bool = False
    repeats: int = 7
    budget: float = 20.0
    skipped: list = field(default_factory=list)
    findings: dict = field(default_factory=dict)
    load: tuple = (float("nan"),)

    def size(self, full, quick):
        """``quick`` in quick mode, ``full`` otherwise."""
        return quick if self.quick else full

    def time(self, fn: Callable[[], object], *, min_time: float = 0.02) -> float:
        """Median wall time of ``fn()`` under this context's repeats and budget."""
        return self.timed(fn, min_time=min_time)[0]

    def timed(self, fn: Callable[[], object], *, min_time: float = 0.02) -> tuple[float, object]:
        """Median wall time of ``fn()`` and the result of its first (warm-up) call."""
        return timed_call(
            fn,
            repeats=self.repeats,
            min_time=0.005 if self.quick else min_time,
            budget=self.budget,
        )

    def skip(self, case: str, why: str) -> None:
        """Record rows that were not run (a missing optional dependency, say)."""
        self.skipped.append(f"{case}: {why}")

    def finding(self, case: str, text: str) -> None:
        """A measured explanation to print under the case's table in RESULTS.md."""
        self.findings.setdefault(case, []).append(text)


def median_time(
    fn: Callable[[], object],
    *,
    repeats: int = 7,
    min_time: float = 0.02,
    budget: float | None = None,
) -> float:
    """Median wall time of ``fn()`` in seconds (see :func:`timed_call`)."""
    return timed_call(fn, repeats=repeats, min_time=min_time, budget=budget)[0]


def timed_call(
    fn: Callable[[], object],
    *,
    repeats: int = 7,
    min_time: float = 0.02,
    budget: float | None = None,
) -> tuple[float, object]:
    """Median wall time of ``fn()`` in seconds, and the result of its first call.

    The first call is a warm-up (and gives a first estimate). Each sample then runs ``fn``
    enough times to last at least ``min_time`` (so that microsecond calls are not dominated
    by timer resolution). When ``repeats`` samples would exceed ``budget`` seconds, fewer are
    taken; a callable slower than ``budget`` is timed by its warm-up call alone. Garbage
    collection is off while timing.
    """
    gc_was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        result = fn()
        once = time.perf_counter() - t0
        if budget is not None and once >= budget / 2:
            return once, result
        inner = max(1, int(min_time / max(once, 1e-9)))
        n = repeats
        if budget is not None:
            n = max(1, min(repeats, int(budget / max(once * inner, 1e-9)) - 1))
        samples = []
        for _ in range(n):
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            samples.append((time.perf_counter() - t0) / inner)
    finally:
        if gc_was:
            gc.enable()
    return float(np.median(samples)), result


def peak_memory(fn: Callable[[], object]) -> int:
    """Peak bytes allocated through Python's allocators (NumPy included) while ``fn()`` runs.

    NumPy reports its data buffers to ``tracemalloc``, so this counts the arrays ``fn``
    creates; memory held by torch or by BLAS threads is not seen.
    """
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return peak - base


def subprocess_measure(code: str, *, timeout: float = 600.0) -> dict:
    """Run ``code`` in a fresh interpreter and return its peak RSS and what it reports.

    ``code`` must end by assigning a dict to ``result`` (JSON-serialisable); the return
    value is that dict plus ``peak_rss`` (bytes: the high-water mark VmHWM, reset after the
    imports through /proc/self/clear_refs) and ``baseline_rss`` (the RSS after the imports,
    before ``code`` ran). A fresh process makes the peak belong to this code alone, BLAS and LAPACK
    workspaces included, which ``tracemalloc`` does not see.
    """
    import json
    import subprocess
    import sys
    import textwrap

    wrapper = (
        textwrap.dedent(
            """
        import json, resource, sys, time
        import numpy, scipy.linalg, scipy.sparse.linalg
        import course_lib

        def _rss(field):
            try:
                with open("/proc/self/status") as fh:
                    for line in fh:
                        if line.startswith(field):
                            return int(line.split()[1]) * 1024
            except OSError:
                pass
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

        try:  # reset the high-water mark so the imports' transient peak does not count
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
        except OSError:
            pass
        _baseline = _rss("VmRSS:")
        """
        )
        + textwrap.dedent(code)
        + textwrap.dedent(
            """
        result["peak_rss"] = _rss("VmHWM:")
        result["baseline_rss"] = _baseline
        print("RESULT" + json.dumps(result))
        """
        )
    )
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-c", wrapper],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"subprocess failed:\n{proc.stderr[-2000:]}")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")][-1]
    return json.loads(line[len("RESULT") :])


def relative_error(approx, exact) -> float:
    """max |approx − exact| / max |exact| (a norm-wise relative error)."""
    approx = np.asarray(approx, dtype=float)
    exact = np.asarray(exact, dtype=float)
    scale = float(np.max(np.abs(exact))) or 1.0
    return float(np.max(np.abs(approx - exact))) / scale


def agreement(ours, anchor, tol: float) -> tuple[bool, str]:
    """Whether two results agree to relative ``tol``, and a short description."""
    err = relative_error(ours, anchor)
    ok = bool(np.isfinite(err) and err <= tol)
    return ok, f"{err:.1e} ≤ {tol:g}" if ok else f"{err:.1e} > {tol:g}"


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
    return f"{model}, {os.cpu_count()} logical cores"


def library_versions() -> dict:
    """Versions of the libraries that appear in the table (missing ones omitted)."""
    import importlib

    versions = {"python": platform.python_version()}
    for name in ("course_lib", "numpy", "scipy", "numdifftools", "torch"):
        try:
            versions[name] = importlib.import_module(name).__version__
        except ImportError:
            continue
    return versions


def blas_description() -> str:
    """The BLAS NumPy is linked against, from ``numpy.show_config``."""
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{info.get('name', '?')} {info.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - the layout of show_config is not a stable API
        return "unknown"


def format_seconds(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def format_bytes(b: float | None) -> str:
    if b is None:
        return "—"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if b >= size:
            return f"{b / size:.1f} {unit}"
    return f"{b:.0f} B"


def _error_cell(r: Row) -> str:
    if r.ours_err is None and r.anchor_err is None:
        return "—"
    fmt = lambda e: "—" if e is None else f"{e:.1e}"  # noqa: E731
    return f"{fmt(r.ours_err)} / {fmt(r.anchor_err)}"


def markdown_table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| setting | course_lib | time | anchor | anchor time | anchor / ours | bar "
        "| agree | rel. error ours / anchor | note |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        ratio = "—" if r.ratio is None else f"{r.ratio:.3g}×"
        bar = "—" if not r.bar else f"{r.bar} {'✅' if r.met else '❌' if r.met is False else ''}"
        agree = {None: "—", True: "yes", False: "**NO**"}[r.agree]
        if r.agree_detail:
            agree += f" ({r.agree_detail})"
        lines.append(
            f"| {r.setting} | {r.ours} | {format_seconds(r.ours_s)} | {r.anchor} | "
            f"{format_seconds(r.anchor_s)} | {ratio} | {bar.strip()} | {agree} | "
            f"{_error_cell(r)} | {r.note} |"
        )
    return "\n".join(lines)
