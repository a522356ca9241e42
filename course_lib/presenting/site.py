"""The course site: Sphinx + myst-nb + sphinx-book-theme (``course handout``, ``make site``).

:func:`build` writes a static site to ``OUT/html`` (open ``index.html`` from disk, or copy
the folder to any static host): every lecture executed, in teaching order, each followed by
its exercise; search; previous / next links; slider panels shown as the picture of their
default setting with alt text; formulas typeset by the site's own copy of MathJax 3.

Layout of ``OUT`` (default ``_build/site``, git-ignored):

- ``src/``: the generated Sphinx source (:func:`source_tree`): ``index.md`` (the table of
  contents, generated from ``lectures/NN_*.ipynb``, so a new lecture appears by itself),
  ``lectures/`` and ``exercises/`` (copies; a lecture copy ends with a link to its
  exercise). The configuration is ``course_lib/presenting/sphinx/conf.py``.
- ``jupyter_cache/``: myst-nb's execution cache (jupyter-cache). A lecture is re-run only
  when its code cells or ``course_lib`` changed (a hash of the library's sources is stored
  in the copy's first code cell), so a rebuild after a text edit executes nothing.
- ``doctrees/`` (Sphinx's environment) and ``html/`` (the site).

The ``site`` extra installs what it needs: ``pip install -e ".[site]"``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import nbformat

from course_lib.presenting import ROOT, lecture_paths, summary

CONF_DIR = Path(__file__).resolve().parent / "sphinx"
LIBRARY = Path(__file__).resolve().parents[1]
TITLE = "Gradient-based optimization for machine learning"


def library_hash() -> str:
    """A hash of what the lectures' outputs depend on besides their code: course_lib's
    sources and data (the presenting tools excluded)."""
    digest = hashlib.sha256()
    for path in sorted(LIBRARY.rglob("*")):
        relative = path.relative_to(LIBRARY)
        if not path.is_file() or relative.parts[0] == "presenting" or "__pycache__" in str(path):
            continue
        if path.suffix in {".py", ".csv"}:
            digest.update(str(relative).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _write_if_changed(path: Path, text: str) -> None:
    """Write only a changed file: Sphinx re-reads a page whose file is newer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)


def _exercise_of(lecture: Path, exercises: Path) -> Path | None:
    path = exercises / lecture.name
    return path if path.is_file() else None


def _exercise_cell(exercise: Path, title: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(
        "```{seealso}\n"
        f"**Exercise:** [{title}](../exercises/{exercise.name}). Work it in JupyterLab "
        f"(`make lab`, then open `exercises/{exercise.name}`): its `check(...)` cells give "
        "instant feedback.\n```\n\n"
        f"```{{toctree}}\n:hidden:\n\n../exercises/{exercise.stem}\n```\n"
    )


def source_tree(src, numbers=None, *, lectures=None, exercises=None) -> list[Path]:
    """Write the Sphinx source of the site into ``src``; return the lecture pages written.

    The index lists the lectures in teaching order (their number), each with the first
    sentence of its text and its exercise; the sidebar nests each exercise under its
    lecture. Files are rewritten only when their content changed, and stale pages removed.
    """
    src = Path(src)
    lecture_dir = Path(lectures) if lectures is not None else ROOT / "lectures"
    exercise_dir = Path(exercises) if exercises is not None else ROOT / "exercises"
    paths = lecture_paths(numbers, lecture_dir)
    stamp = library_hash()
    written, entries = set(), []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        title, sentence = summary(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if code:  # re-run the lecture when the library it calls changed
            code[0].metadata["course_lib"] = {"sources": stamp}
        exercise = _exercise_of(path, exercise_dir)
        exercise_title = None
        if exercise is not None:
            exercise_nb = nbformat.read(exercise, as_version=4)
            exercise_title = summary(exercise_nb)[0] or f"Exercise {path.stem[:2]}"
            nb.cells.append(_exercise_cell(exercise, exercise_title))
            target = src / "exercises" / exercise.name
            _write_if_changed(target, nbformat.writes(exercise_nb))
            written.add(target)
        target = src / "lectures" / path.name
        _write_if_changed(target, nbformat.writes(nb))
        written.add(target)
        entries.append((path, title or path.stem, sentence, exercise, exercise_title))
    lines = [
        f"# {TITLE}\n",
        f"{len(entries)} lectures, in teaching order, each executed with the figures it draws "
        "and its slider panels shown at their default setting (run the notebook in "
        "JupyterLab to move them: `make lab`). Each lecture is followed by its exercise.\n",
    ]
    for path, title, sentence, exercise, exercise_title in entries:
        line = f"- [{title}](lectures/{path.name})"
        if sentence:
            line += f": {sentence}"
        if exercise is not None:
            line += f" *Exercise:* [{exercise_title}](exercises/{exercise.name})"
        lines.append(line)
    toc = "\n".join(f"lectures/{path.stem}" for path, *_ in entries)
    lines.append(f"\n```{{toctree}}\n:hidden:\n:caption: Lectures\n\n{toc}\n```\n")
    index = src / "index.md"
    _write_if_changed(index, "\n".join(lines))
    written.add(index)
    for old in [*src.glob("lectures/*.ipynb"), *src.glob("exercises/*.ipynb")]:
        if old not in written:
            old.unlink()
    return [src / "lectures" / p.name for p in paths]


def sphinx_command(
    out, *, strict: bool = False, fresh: bool = False, jobs=1, quiet=True, allow_errors=False
):
    """The ``sphinx-build`` command line for the site under ``out``."""
    out = Path(out).resolve()
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-c",
        str(CONF_DIR),
        "-d",
        str(out / "doctrees"),
        "-D",
        f"nb_execution_cache_path={out / 'jupyter_cache'}",
        "-j",
        str(jobs),
        str(out / "src"),
        str(out / "html"),
    ]
    if allow_errors:
        command[3:3] = ["-D", "nb_execution_raise_on_error=0"]
    if strict:
        command[3:3] = ["-W", "--keep-going"]
    if fresh:
        command[3:3] = ["-E"]
    if quiet:
        command[3:3] = ["-q"]
    return command


def build(
    numbers=None,
    out="_build/site",
    *,
    lectures=None,
    exercises=None,
    strict: bool = False,
    fresh: bool = False,
    jobs=1,
    quiet: bool = True,
    allow_errors: bool = False,
) -> Path:
    """Build the course site; return ``OUT/html/index.html``.

    Parameters
    ----------
    numbers : list of lecture numbers, optional
        Only these lectures (and their exercises); default: every lecture.
    out : path
        Build folder (``src``, ``jupyter_cache``, ``doctrees``, ``html`` inside).
    lectures, exercises : paths, optional
        Where the notebooks are (default: the course's ``lectures/`` and ``exercises/``).
    strict : bool
        Sphinx warnings are errors (``-W --keep-going``), as in CI.
    fresh : bool
        Re-read every page (``-E``): a strict build then reports every warning, not only
        those of changed pages. Executed notebooks still come from the cache.
    jobs : int or "auto"
        Sphinx's parallel jobs (``-j``).
    allow_errors : bool
        Show a lecture that raises with its traceback instead of failing the build (a
        warning, so still an error when ``strict``).

    Raises
    ------
    RuntimeError
        If Sphinx fails (a lecture raises, or a warning in a strict build); the message
        holds Sphinx's output.
    """
    out = Path(out)
    source_tree(out / "src", numbers, lectures=lectures, exercises=exercises)
    env = {**os.environ, "MPLBACKEND": os.environ.get("MPLBACKEND", "Agg")}
    result = subprocess.run(
        sphinx_command(
            out, strict=strict, fresh=fresh, jobs=jobs, quiet=quiet, allow_errors=allow_errors
        ),
        env=env,
        capture_output=quiet,
        text=True,
    )
    if result.returncode != 0:
        output = (result.stdout or "") + (result.stderr or "")
        raise RuntimeError(f"the site build failed (sphinx exit {result.returncode}):\n{output}")
    warnings = [
        line
        for line in (result.stderr or "").splitlines()
        if "Kernel is running over TCP" not in line  # jupyter_client's, on every kernel
    ]
    if warnings:  # warnings of a build that is not strict: say them
        print("\n".join(warnings), file=sys.stderr)
    return out / "html" / "index.html"
