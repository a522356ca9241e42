"""How long the course site takes to build: every lecture, cold and with a warm cache.

    python -m benchmarks.site_build [--jobs 1] [--output benchmarks/SITE_RESULTS.md]

(``make bench-site``). Three builds of every lecture into a fresh temporary folder:

1. cold: nothing cached, every lecture executed by myst-nb (jupyter-cache);
2. warm, every page re-read (``-E``, what a ``-W`` check in CI does): nothing executed;
3. warm after a text edit in one lecture (a sentence added to a copy of the lectures):
   Sphinx re-reads that page, nothing is executed.

Goal: the warm build of all lectures under 5 minutes on 2 cores. The load average of the
machine is reported before and after: on a shared machine the figures are noisy.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat

from course_lib.presenting import ROOT, lecture_paths, site

GOAL_WARM_S = 300.0
OUTPUT = Path(__file__).with_name("SITE_RESULTS.md")


def _load() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _timed(label, rows, **kwargs) -> float:
    load = _load()
    start = time.perf_counter()
    site.build(**kwargs)
    seconds = time.perf_counter() - start
    rows.append((label, seconds, load, _load()))
    print(f"{label}: {seconds:.1f} s (load {load} -> {_load()})", flush=True)
    return seconds


def run(jobs="1", keep=None, allow_errors=False) -> list[tuple]:
    work = Path(keep or tempfile.mkdtemp(prefix="site-bench-"))
    lectures = work / "lectures"
    shutil.copytree(ROOT / "lectures", lectures, dirs_exist_ok=True)
    out = work / "build"
    shutil.rmtree(out, ignore_errors=True)
    common = {
        "out": out,
        "lectures": lectures,
        "exercises": ROOT / "exercises",
        "jobs": jobs,
        "allow_errors": allow_errors,
    }
    rows = []
    try:
        _timed("cold (every lecture executed)", rows, **common)
        strict = not allow_errors  # a lecture that raises is a warning: -W would stop there
        _timed("warm, every page re-read (-E)", rows, strict=strict, fresh=True, **common)
        first = lecture_paths(None, lectures)[0]
        nb = nbformat.read(first, as_version=4)
        nb.cells[0].source += "\n\nA sentence added for the benchmark."
        nbformat.write(nb, first)
        _timed(f"warm, text of {first.stem[:2]} edited", rows, **common)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return rows


def report(rows, jobs, allow_errors=False) -> str:
    n = len(lecture_paths())
    warm = rows[1][1] if len(rows) > 1 else float("nan")
    verdict = "met" if warm < GOAL_WARM_S else "MISSED"
    lines = [
        "# Building the course site",
        "",
        f"`python -m benchmarks.site_build --jobs {jobs}"
        f"{' --allow-errors' if allow_errors else ''}` on "
        f"{datetime.date.today().isoformat()}, {os.cpu_count()} cores, {n} lectures "
        "(Sphinx + myst-nb + sphinx-book-theme; a fresh build folder).",
        "",
        "| build | seconds | load average before | after |",
        "| --- | ---: | --- | --- |",
        *[f"| {label} | {seconds:.1f} | {a} | {b} |" for label, seconds, a, b in rows],
        "",
        f"Goal: all lectures with a warm cache under {GOAL_WARM_S:.0f} s on 2 cores: "
        f"**{verdict}** ({warm:.1f} s). The load average (1/5/15 min) says how busy the "
        "machine was: a load above the number of cores slows every figure here.",
        "",
    ]
    if allow_errors:
        lines += [
            "With `--allow-errors` a lecture that raises is shown with its traceback; it is "
            "not cached, so every build above ran it again (its time is in the warm rows).",
            "",
        ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="1", help="Sphinx parallel jobs (-j)")
    parser.add_argument("--output", default=str(OUTPUT), help="the Markdown report")
    parser.add_argument("--keep", default=None, help="build here and keep it (default: temp)")
    parser.add_argument(
        "--allow-errors",
        action="store_true",
        help="time the build even if a lecture raises (it is then re-run by every build)",
    )
    args = parser.parse_args(argv)
    rows = run(args.jobs, args.keep, args.allow_errors)
    text = report(rows, args.jobs, args.allow_errors)
    Path(args.output).write_text(text)
    print(text)
    return 0 if rows[1][1] < GOAL_WARM_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
