"""The ``course`` command: instructor tools (assign, grade)."""

from __future__ import annotations

import argparse
import os
import sys


def _assign(args) -> int:
    from course_lib.grading.assign import assign

    for path in assign(args.solutions, args.exercises):
        print(f"wrote {path}")
    return 0


def _grade(args) -> int:
    from course_lib.grading.autograde import grade
    from course_lib.grading.sandbox import Limits

    limits = Limits(
        cell_timeout=args.cell_timeout, notebook_timeout=args.timeout, memory_mb=args.memory
    )
    summaries = grade(
        args.submissions,
        args.solutions,
        args.out,
        jobs=args.jobs,
        limits=limits,
        sandbox=not args.no_sandbox,
        force=args.force,
        gradebook=args.gradebook,
        progress=not args.quiet,
    )
    graded = sum(not s["skipped"] for s in summaries)
    print(
        f"{graded} graded, {len(summaries) - graded} unchanged; reports, gradebook and "
        f"grades.csv in {args.out}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("assign", help="write exercises/ from solutions/ (nbgrader format)")
    p.add_argument("solutions", nargs="?", default="solutions", help="default: solutions")
    p.add_argument("exercises", nargs="?", default="exercises", help="default: exercises")
    p.set_defaults(func=_assign)

    p = commands.add_parser(
        "grade",
        help="grade submitted notebooks in sandboxed kernels",
        description="Grade SUBMISSION notebooks (files or folders; the student is the name of "
        "the folder a notebook sits in). For credit, point --solutions at a private copy "
        "with your own hidden tests: the published solutions/ are for self-study.",
    )
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION")
    p.add_argument("--solutions", required=True, help="folder of solution notebooks")
    p.add_argument("--out", default="grades", help="reports, gradebook, CSV (default: grades)")
    p.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="submissions graded in parallel (default: number of cores)",
    )
    p.add_argument("--cell-timeout", type=float, default=30.0, help="seconds per cell")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per notebook")
    p.add_argument("--memory", type=int, default=2048, help="MiB of address space per kernel")
    p.add_argument("--gradebook", default=None, help="SQLite file (default: OUT/gradebook.sqlite)")
    p.add_argument("--force", action="store_true", help="grade unchanged submissions again")
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run kernels without bubblewrap (every report says so)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_grade)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
