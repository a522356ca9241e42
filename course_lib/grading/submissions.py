"""Finding submissions on disk: who submitted what, read safely, refused with a reason.

The layout ``course grade`` accepts
-----------------------------------
A folder named on the command line is a *submission root*. Its first-level folders are the
students, and a student's identity is that folder's name, never anything deeper:

``ROOT/<student>/<notebook>.ipynb``
    the plain layout (a student folder that holds notebooks directly);
``ROOT/<student>/<assignment>/<notebook>.ipynb``
    nbgrader's ``submitted/`` layout (a student folder that holds only folders). The
    assignment folder's name is free (``ps02``); the notebook is identified by its own file
    name or, failing that, by its cells. nbgrader's ``timestamp.txt`` in that folder gives the
    submission time.

Refused, each with a reason, costing only itself: a notebook directly in the root (a flat
folder of files says nothing about who wrote which: ambiguous), a notebook in a folder nested
deeper than these layouts, an assignment folder named after another student of the root
(``mallory/alice/02.ipynb``), any symbolic link (file or folder: to a classmate, to the
solutions, to ``/etc/shadow``, to ``/dev/zero``), anything that is not a regular file (a FIFO
named ``*.ipynb`` would block a reader forever), and a file larger than the size cap. (Hard
links are not refused: refusing them would let a classmate's link cost the victim her grade.)
The walk never follows a link, and a file is opened with ``O_NOFOLLOW | O_NONBLOCK`` and
checked again with ``fstat`` before a byte is read.

A notebook named explicitly on the command line (not through a folder) is the instructor's
choice: its student is the name of the folder it sits in.

Submission time
---------------
nbgrader's ``timestamp.txt`` next to the notebook (nbgrader layout), else the file's
modification time, both as UTC ISO 8601. An archive unpacked with its stored times carries
the student's own clock: prefer nbgrader's timestamps when the order of attempts matters.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024
LAYOUT = (
    "expected ROOT/<student>/<notebook>.ipynb, or nbgrader's "
    "ROOT/<student>/<assignment>/<notebook>.ipynb, with ROOT the folder named on the "
    "command line"
)
_MAX_WALK = 20_000  # entries looked at below a refused nested folder


@dataclass
class Candidate:
    """One ``*.ipynb`` found: graded unless ``refused`` holds a reason."""

    path: Path
    student: str | None
    submitted_at: str | None = None
    refused: str | None = None
    layout: str = "plain"  # plain | nbgrader | file


def _utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat()


def parse_timestamp(text: str) -> str | None:
    """nbgrader's ``timestamp.txt`` (``2026-12-01 10:00:00.123456 UTC`` and ISO forms) in UTC."""
    text = text.strip()
    for suffix in (" UTC", "UTC", "Z"):
        if text.endswith(suffix):
            text = text[: -len(suffix)].strip() + "+00:00"
            break
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def read_regular_file(path: Path, max_bytes: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``max_bytes``; else OSError.

    ``lstat`` first (a link, FIFO, device or socket is refused without opening it), then
    ``open`` with ``O_NOFOLLOW | O_NONBLOCK`` and ``fstat`` on the open file (the path may have
    been swapped in between), and never more than ``max_bytes + 1`` bytes read.
    """
    info = os.lstat(path)
    problem = file_problem(info, max_bytes, path)
    if problem:
        raise OSError(errno.EINVAL, problem)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise OSError(errno.EINVAL, "the file was replaced while it was being read")
        problem = file_problem(opened, max_bytes, path)
        if problem:
            raise OSError(errno.EINVAL, problem)
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise OSError(errno.EFBIG, f"the file grew beyond {max_bytes} bytes while read")
        return b"".join(chunks)
    finally:
        os.close(fd)


def file_problem(info: os.stat_result, max_bytes: int, path: Path | None = None) -> str | None:
    """Why a file with this ``lstat``/``fstat`` result is not read, or None."""
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        target = ""
        if path is not None:
            try:
                target = f" to {os.readlink(path)!r}"
            except OSError:
                pass
        return f"it is a symbolic link{target}; links are never followed"
    if stat.S_ISFIFO(mode):
        return "it is a FIFO (a named pipe), not a file"
    if stat.S_ISDIR(mode):
        return "it is a folder, not a notebook file"
    if not stat.S_ISREG(mode):
        return "it is a device or a socket, not a regular file"
    if info.st_size > max_bytes:
        return f"it is {info.st_size} bytes, more than the {max_bytes}-byte limit for a notebook"
    return None


def _entries(folder: Path):
    with os.scandir(folder) as it:
        return sorted(it, key=lambda e: e.name)


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _nested_notebooks(folder: Path) -> list[Path]:
    """``*.ipynb`` names below ``folder`` (links not followed, bounded walk)."""
    found, seen = [], 0
    for here, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not _hidden(d)]
        seen += len(dirs) + len(files)
        found += [Path(here) / f for f in sorted(files) if f.endswith(".ipynb")]
        if seen > _MAX_WALK:
            break
    return found


def _timestamp(folder: Path) -> str | None:
    try:
        data = read_regular_file(folder / "timestamp.txt", 1024)
    except OSError:
        return None
    return parse_timestamp(data.decode("utf-8", "replace"))


def _mtime(path: Path) -> str | None:
    try:
        return _utc(os.lstat(path).st_mtime)
    except OSError:
        return None


def discover_root(root: Path) -> list[Candidate]:
    """Every notebook under the submission root ``root``, each graded or refused."""
    out: list[Candidate] = []
    entries = [e for e in _entries(root) if not _hidden(e.name)]
    students = {e.name for e in entries if e.is_dir(follow_symlinks=False)}
    for entry in entries:
        path = Path(entry.path)
        if entry.is_symlink():
            out.append(
                Candidate(
                    path,
                    None,
                    refused=f"{file_problem(os.lstat(path), 0, path)} (in the submission root)",
                )
            )
        elif entry.is_dir(follow_symlinks=False):
            try:
                out += _discover_student(path, entry.name, students)
            except OSError as err:  # an unreadable folder costs only its own student
                out.append(
                    Candidate(path, entry.name, refused=f"the folder could not be read ({err})")
                )
        elif entry.name.endswith(".ipynb"):
            out.append(
                Candidate(
                    path,
                    None,
                    refused="a notebook directly in the submission root does not say whose it "
                    f"is (a flat folder of files is ambiguous): {LAYOUT}",
                )
            )
    return out


def _discover_student(folder: Path, student: str, students: set[str]) -> list[Candidate]:
    out: list[Candidate] = []
    entries = [e for e in _entries(folder) if not _hidden(e.name)]
    notebooks = [
        e for e in entries if e.name.endswith(".ipynb") and not e.is_dir(follow_symlinks=False)
    ]
    folders = [e for e in entries if e.is_dir(follow_symlinks=False) and not e.is_symlink()]
    links = [e for e in entries if e.is_symlink()]
    for entry in links:
        path = Path(entry.path)
        out.append(Candidate(path, student, refused=file_problem(os.lstat(path), 0, path)))
    for entry in notebooks:
        if entry.is_symlink():
            continue
        path = Path(entry.path)
        out.append(Candidate(path, student, submitted_at=_mtime(path)))
    for entry in folders:
        sub = Path(entry.path)
        if notebooks:
            for path in _nested_notebooks(sub):
                out.append(
                    Candidate(
                        path,
                        student,
                        refused=f"a notebook in a nested folder of {student!r}, whose folder "
                        f"already holds notebooks directly: {LAYOUT}",
                    )
                )
        elif entry.name in students:
            for path in _nested_notebooks(sub):
                out.append(
                    Candidate(
                        path,
                        student,
                        refused=f"a folder named after another student ({entry.name!r}) inside "
                        f"{student!r}'s folder: a submission is only ever its first-level "
                        "folder's",
                    )
                )
        else:
            try:
                out += _discover_assignment(sub, student)
            except OSError as err:
                out.append(Candidate(sub, student, refused=f"the folder could not be read ({err})"))
    return out


def _discover_assignment(folder: Path, student: str) -> list[Candidate]:
    out: list[Candidate] = []
    stamp = _timestamp(folder)
    for entry in _entries(folder):
        if _hidden(entry.name):
            continue
        path = Path(entry.path)
        if entry.is_symlink():
            out.append(Candidate(path, student, refused=file_problem(os.lstat(path), 0, path)))
        elif entry.is_dir(follow_symlinks=False):
            for nested in _nested_notebooks(path):
                out.append(
                    Candidate(
                        nested,
                        student,
                        refused=f"a notebook nested deeper than an assignment folder: {LAYOUT}",
                    )
                )
        elif entry.name.endswith(".ipynb"):
            out.append(
                Candidate(path, student, submitted_at=stamp or _mtime(path), layout="nbgrader")
            )
    return out


def discover(paths) -> list[Candidate]:
    """The candidates of every path named: folders are submission roots, files are themselves."""
    found: list[Candidate] = []
    for raw in paths:
        given = Path(raw)
        try:
            info = os.lstat(given)
        except OSError as err:
            raise ValueError(
                f"submission path {str(raw)!r} does not exist ({err.strerror})"
            ) from None
        if stat.S_ISDIR(os.stat(given).st_mode):
            # The root itself is the instructor's (it may be a link); nothing below it is.
            found += discover_root(given.resolve())
        else:
            absolute = given.parent.resolve() / given.name
            problem = None if stat.S_ISREG(info.st_mode) else file_problem(info, 0, given)
            found.append(
                Candidate(
                    absolute,
                    absolute.parent.name,
                    submitted_at=_mtime(absolute),
                    refused=problem,
                    layout="file",
                )
            )
    return found


class OutputLocked(RuntimeError):
    """Another ``course grade`` holds the output folder."""


class FolderLock:
    """An exclusive ``flock`` on ``folder/.course-grade.lock``, released when the process ends.

    A second grader on the same folder refuses at once (it does not wait): two graders would
    each grade everything and interleave their writes. The kernel releases a ``flock`` when its
    holder dies, so a killed grader never leaves a stale lock.
    """

    NAME = ".course-grade.lock"

    def __init__(self, folder: Path):
        self.path = Path(folder) / self.NAME
        self.fd: int | None = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "unknown"
            os.close(fd)
            raise OutputLocked(
                f"another `course grade` ({holder}) is writing to {self.path.parent}; wait for "
                "it to finish, or choose another --out"
            ) from None
        os.ftruncate(fd, 0)
        started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.write(fd, f"pid {os.getpid()}, started {started}".encode())
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def shard_of(student: str, shards: int) -> int:
    """The shard (0 .. ``shards`` − 1) that grades ``student``: a stable hash of the name, the
    same on every machine and run, so ``course grade --shard K/N`` on N machines grades every
    student exactly once."""
    import zlib

    return zlib.crc32(student.encode("utf-8")) % shards


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> ``(K, N)`` with 0 <= K < N; a ValueError says what was expected."""
    try:
        k, n = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise ValueError(f"--shard must be K/N with integers, e.g. 0/8, got {text!r}") from None
    if not 0 <= k < n:
        raise ValueError(f"--shard K/N needs 0 <= K < N, got {text!r}")
    return k, n
