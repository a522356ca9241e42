"""The ``course`` command: instructor tools (assign, grade, slides, handout, present, and a
class on JupyterHub: hub, release, collect, return)."""

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
    from course_lib.grading.autograde import EXIT_LOCKED, EXIT_NOT_GRADED, EXIT_OK, grade
    from course_lib.grading.sandbox import Limits
    from course_lib.grading.submissions import OutputLocked, parse_shard

    shard = parse_shard(args.shard) if args.shard else None
    if not args.submissions and not args.manual:
        raise ValueError("name at least one SUBMISSION folder or file, or --manual SCORES.csv")
    limits = Limits(
        cell_timeout=args.cell_timeout, notebook_timeout=args.timeout, memory_mb=args.memory
    )
    try:
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
            manual=args.manual,
            max_bytes=int(args.max_size * 1024 * 1024),
            shard=shard,
        )
    except OutputLocked as err:
        print(f"course grade: {err}", file=sys.stderr)
        return EXIT_LOCKED
    graded = sum(not s["skipped"] and s["status"] == "graded" for s in summaries)
    unchanged = sum(s["skipped"] for s in summaries)
    failed = [s for s in summaries if s["status"] != "graded"]
    print(
        f"{graded} graded, {unchanged} unchanged, {len(failed)} not graded; reports, gradebook "
        f"and grades.csv in {args.out}"
    )
    for s in failed:
        print(f"  NOT GRADED ({s['status']}): {s['submission']}: {s.get('reason') or ''}"[:400])
    return EXIT_NOT_GRADED if failed else EXIT_OK


def _slides(args) -> int:
    from course_lib import presenting

    for path in presenting.slides(args.lectures, args.out):
        print(f"wrote {path} (open it in a browser; arrows move, S opens speaker notes)")
    return 0


def _handout(args) -> int:
    try:
        from course_lib.presenting import site
    except ImportError as err:  # pragma: no cover - depends on the install
        raise ValueError(f"{err}; the site needs the site extra: pip install -e '.[site]'") from err
    try:
        index = site.build(
            args.lectures,
            args.out,
            strict=args.strict,
            fresh=args.fresh,
            jobs=args.jobs,
            quiet=not args.verbose,
        )
    except RuntimeError as err:
        print(err, file=sys.stderr)
        return 1
    print(
        f"wrote the site; open {index} in a browser (no server needed), or publish the "
        f"folder {index.parent} on any static host"
    )
    return 0


def _present(args) -> int:
    import tempfile
    from pathlib import Path

    import nbformat

    from course_lib import presenting, servers

    (path,) = presenting.lecture_paths([args.lecture])
    if args.slides:  # the whole lecture, as Voila runs it: Voila does not write the notebook
        server = servers.start_voila(path, port=args.port, template=presenting.LIVE_SLIDES)
        what = "live slides (arrow keys move the deck, or a slider you clicked)"
    else:
        folder = Path(tempfile.mkdtemp(prefix="course-present-"))
        app_path = folder / path.name
        nbformat.write(presenting.panels_notebook(path), app_path)
        server = servers.start_voila(app_path, port=args.port)
        what = "panels"
    with server as app:
        print(f"{path.stem} {what}: {app.url_for('')}\n(Ctrl-C stops the app)", flush=True)
        try:
            app.process.wait()
        except KeyboardInterrupt:
            pass
    return 0


def _hub(args) -> int:
    from course_lib.hub import start_hub

    students = [s for s in args.students.split(",") if s]
    with start_hub(
        args.root,
        course_id=args.course_id,
        instructor=args.instructor,
        students=students,
        port=args.port,
        password=args.password,
    ) as hub:
        print(
            f"JupyterHub for course {hub.course_id!r} at {hub.url}\n"
            f"  users: {hub.instructor} (instructor, admin), {', '.join(hub.students)}\n"
            f"  password (test authenticator): {hub.password}\n"
            f"  admin API token: {hub.admin_token}\n"
            f"  instructor's course folder: {hub.course_dir}\n"
            f"  next: course release NN --course-dir {hub.course_dir}\n"
            "(Ctrl-C stops the hub and every user's server)",
            flush=True,
        )
        try:
            hub.server.process.wait()
        except KeyboardInterrupt:
            pass
    return 0


def _release(args) -> int:
    from course_lib import presenting
    from course_lib.grading import exchange

    (exercise,) = presenting.lecture_paths([args.exercise], lectures=args.exercises)
    assignment = exchange.release(args.course_dir, exercise, args.assignment)
    print(
        f"released {exercise.name} as {assignment!r}: students fetch it from their Assignments tab"
    )
    return 0


def _collect(args) -> int:
    from course_lib.grading import exchange

    notebooks = exchange.collect(args.course_dir, args.assignment)
    print(
        f"collected {len(notebooks)} submission(s) of {args.assignment!r}; next: course grade "
        f"{args.course_dir}/submitted --solutions PRIVATE_SOLUTIONS --out grades"
    )
    return 0


def _return(args) -> int:
    from course_lib.grading import exchange

    pages = exchange.return_feedback(args.course_dir, args.grades, args.assignment)
    print(f"released {len(pages)} feedback page(s): students use 'fetch feedback'")
    return 0


def _export(args) -> int:
    from course_lib.grading.lms import export_lms

    path = export_lms(args.gradebook, args.out, args.lms, args.roster)
    print(f"wrote {path}: import it in {args.lms.capitalize()}'s gradebook (Grades -> Import)")
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
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Grade the notebooks under each SUBMISSION folder (a submission root: "
        "ROOT/<student>/<notebook>.ipynb, or nbgrader's ROOT/<student>/<assignment>/"
        "<notebook>.ipynb; the student is always the first-level folder's name) or named "
        "as files. Links, FIFOs, nested folders and notebooks loose in the root are refused "
        "with a reason (OUT/refused.json). For credit, point --solutions at a private copy "
        "with your own hidden tests: the published solutions/ are for self-study.",
        epilog="exit status: 0 every submission graded (or unchanged since it was); "
        "1 at least one refused, unreadable, unidentified or not graded (listed on "
        "stdout); 2 usage error; 3 another `course grade` is using OUT (it is not waited "
        "for).\ngrades.csv counts, per student and assignment, the attempt with the latest "
        "submission time (nbgrader's timestamp.txt, else the file's modification time).",
    )
    p.add_argument("submissions", nargs="*", metavar="SUBMISSION")
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
    p.add_argument(
        "--memory",
        type=int,
        default=2048,
        help="MiB for the kernel's whole process tree (and address space per process)",
    )
    p.add_argument(
        "--max-size", type=float, default=32.0, help="MiB; larger notebooks are refused (32)"
    )
    p.add_argument("--gradebook", default=None, help="SQLite file (default: OUT/gradebook.sqlite)")
    p.add_argument(
        "--shard",
        default=None,
        metavar="K/N",
        help="grade only shard K of N (students split by a stable hash of their name): one "
        "course grade per machine of a batch job array",
    )
    p.add_argument(
        "--manual",
        default=None,
        metavar="SCORES.csv",
        help="hand-given points for written answers: CSV with student,assignment,grade_id,"
        "points[,comment]; merged into the gradebook and grades.csv",
    )
    p.add_argument("--force", action="store_true", help="grade unchanged submissions again")
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run kernels without bubblewrap (every report says so)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_grade)

    p = commands.add_parser(
        "slides", help="execute lectures and write self-contained reveal.js decks"
    )
    p.add_argument("lectures", nargs="*", metavar="NN", help="lecture numbers (default: all)")
    p.add_argument("--out", default="slides", help="folder for the decks (default: slides)")
    p.set_defaults(func=_slides)

    p = commands.add_parser(
        "handout",
        help="build the course site (Sphinx + myst-nb + sphinx-book-theme), lectures executed",
        description="Build the course site into OUT/html: every lecture executed through "
        "myst-nb's cache (a rebuild re-runs only what changed), exercises beside their "
        "lectures, search, formulas typeset by the site's own MathJax. Needs the site extra.",
    )
    p.add_argument("lectures", nargs="*", metavar="NN", help="lecture numbers (default: all)")
    p.add_argument(
        "--out",
        default="_build/site",
        help="build folder; the site is OUT/html (default: _build/site)",
    )
    p.add_argument("--strict", action="store_true", help="Sphinx warnings are errors (-W)")
    p.add_argument("--fresh", action="store_true", help="re-read every page (-E; cache kept)")
    p.add_argument("--jobs", default="1", help="Sphinx parallel jobs, a number or auto")
    p.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    p.set_defaults(func=_handout)

    p = commands.add_parser(
        "present", help="serve a lecture's panels as a Voila app on 127.0.0.1 with a token"
    )
    p.add_argument("lecture", metavar="NN", help="lecture number")
    p.add_argument(
        "--slides",
        action="store_true",
        help="the whole lecture as live reveal.js slides, sliders working (Voila's reveal "
        "template); default: its headings and panels alone",
    )
    p.add_argument("--port", type=int, default=None, help="default: a free port")
    p.set_defaults(func=_present)

    p = commands.add_parser(
        "hub", help="a local JupyterHub with nbgrader's exchange, for a class on one machine"
    )
    p.add_argument("--root", default="hub", help="folder for the hub's state (default: hub)")
    p.add_argument("--course-id", default="optim", help="nbgrader course id (default: optim)")
    p.add_argument("--instructor", default="instructor", help="the admin user")
    p.add_argument(
        "--students", default="alice,bob,carol", help="comma-separated user names allowed in"
    )
    p.add_argument("--port", type=int, default=8000, help="public port (default: 8000)")
    p.add_argument("--password", default=None, help="shared test password (default: random)")
    p.set_defaults(func=_hub)

    p = commands.add_parser("release", help="release exercise NN through nbgrader's exchange")
    p.add_argument("exercise", metavar="NN", help="lecture number of the exercise")
    p.add_argument("--course-dir", required=True, help="the instructor's nbgrader course folder")
    p.add_argument("--exercises", default="exercises", help="default: exercises")
    p.add_argument("--assignment", default=None, help="default: the notebook's name")
    p.set_defaults(func=_release)

    p = commands.add_parser("collect", help="collect submissions from nbgrader's exchange")
    p.add_argument("assignment")
    p.add_argument("--course-dir", required=True, help="the instructor's nbgrader course folder")
    p.set_defaults(func=_collect)

    p = commands.add_parser(
        "return", help="release each student's HTML feedback through nbgrader's exchange"
    )
    p.add_argument("assignment")
    p.add_argument("--course-dir", required=True, help="the instructor's nbgrader course folder")
    p.add_argument("--grades", default="grades", help="course grade's --out (default: grades)")
    p.set_defaults(func=_return)

    p = commands.add_parser("export", help="the gradebook as a Canvas or Moodle import CSV")
    p.add_argument("--lms", choices=("canvas", "moodle"), default="canvas")
    p.add_argument(
        "--gradebook", default="grades/gradebook.sqlite", help="default: grades/gradebook.sqlite"
    )
    p.add_argument("--roster", default=None, help="CSV: student folder name -> LMS identity")
    p.add_argument("--out", required=True, help="the CSV to write")
    p.set_defaults(func=_export)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ValueError as err:  # a wrong lecture number, a missing folder: say it, no traceback
        parser.exit(2, f"course {args.command}: error: {err}\n")


if __name__ == "__main__":
    sys.exit(main())
