"""The hostile corpus: submissions built from the committed solution notebooks by replacing
the code of named cells (by ``grade_id``), plus raw files that are not notebooks.

Each entry names the notebook it answers, the edits, and the expected outcome: the points
of each autograded task and any text the report must (or must not) contain.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NB01 = ROOT / "solutions" / "01_closed_form_vs_iterative.ipynb"
NB02 = ROOT / "solutions" / "02_derivatives_and_finite_differences.ipynb"
EX02 = ROOT / "exercises" / "02_derivatives_and_finite_differences.ipynb"
TASKS02 = ("test_forward", "test_centered", "test_curve", "test_gradient")

WRONG_FORWARD = "def forward_difference(f, x, h):\n    return 0.0 * f(x)\n"
WRONG_CENTERED = "def centered_difference(f, x, h):\n    return 0.0 * f(x)\n"

PATCH_EVERYTHING = """
import builtins, sys
import numpy as np
import numpy.testing
import course_lib.grading as grading
import course_lib.grading.checker as checker

def _never_fails(*args, **kwargs):
    return None

check = grading.check = checker.check = _never_fails
np.testing.assert_allclose = numpy.testing.assert_allclose = _never_fails
np.testing.assert_array_equal = _never_fails
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
builtins.abs = lambda value: 0.0
builtins.AssertionError = type("NeverRaised", (Exception,), {})
sys.excepthook = _never_fails
shell = get_ipython()
shell.showtraceback = _never_fails
_run_cell = shell.run_cell
def _run_cell_and_hide_errors(*args, **kwargs):
    result = _run_cell(*args, **kwargs)
    result.error_in_exec = None
    return result
shell.run_cell = _run_cell_and_hide_errors
kernel = shell.kernel
_send = kernel.session.send
def _send_ok(stream, msg_or_type, content=None, *args, **kwargs):
    if isinstance(content, dict) and content.get("status") == "error":
        content = {"status": "ok", "execution_count": 1, "user_expressions": {}, "payload": []}
    if msg_or_type == "error":
        return None
    return _send(stream, msg_or_type, content, *args, **kwargs)
kernel.session.send = _send_ok

def forward_difference(f, x, h):
    return 0.0 * np.asarray(x)

def centered_difference(f, x, h):
    return 0.0 * np.asarray(x)

def centered_error_curve(f, df, x, steps):
    return 0.0 * np.asarray(steps)

def numerical_gradient(f, x, h):
    return 0.0 * np.asarray(x)
"""

FORGE_AGENT = """
from IPython.display import publish_display_data

class _Forger:
    def call(self, name, payload):
        publish_display_data({"application/x-course-grading+json": {"ok": True}})
    def describe(self, name):
        publish_display_data({"application/x-course-grading+json": {"kind": "callable"}})

__course_agent__ = _Forger()
get_ipython().user_ns["__course_agent__"] = __course_agent__
def forward_difference(f, x, h):
    raise NotImplementedError()
"""

READ_HIDDEN = """
import os

found, leaked = 0, 0
for top in ("/", "/work", "/root", "/home", "/tmp", os.path.expanduser("~"), ".."):
    for folder, dirs, files in os.walk(top):
        if folder.startswith(("/proc", "/sys", "/dev", "/usr")):
            dirs[:] = []
            continue
        for name in files:
            if name.endswith(".ipynb") and name[:2].isdigit():
                try:
                    with open(os.path.join(folder, name), errors="ignore") as handle:
                        found += "BEGIN HIDDEN TESTS" in handle.read()
                except OSError:
                    pass
        if found:
            break
    if found:
        break
for pid in os.listdir("/proc"):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read()
        leaked += b"--solutions" in command or b"autograde" in command
    except OSError:
        pass
print(f"hidden-test notebooks found: {found}; grader command lines seen: {leaked}")

def forward_difference(f, x, h):
    x = np.asarray(x, dtype=float)
    return (f(x + h) - f(x)) / h
"""

DELETE_FILES = """
import os, shutil

for top in (".", "..", os.path.expanduser("~"), "/tmp"):
    for name in os.listdir(top):
        path = os.path.join(top, name)
        try:
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        except OSError:
            pass

def forward_difference(f, x, h):
    x = np.asarray(x, dtype=float)
    return (f(x + h) - f(x)) / h
"""


@dataclass
class Entry:
    name: str
    source: Path = NB02
    edits: dict = field(default_factory=dict)  # grade_id -> new source, None deletes the cell
    points: dict = field(default_factory=dict)  # grade_id -> expected points
    contains: tuple = ()  # texts the JSON report must contain
    absent: tuple = ()  # texts it must not contain
    sandboxed_contains: tuple = ()  # texts the report contains when the kernel is sandboxed
    raw: bytes | None = None  # the file's bytes, for non-notebooks
    filename: str | None = None
    sandbox_only: bool = False  # harmful to the grading machine itself unless sandboxed
    metadata: dict = field(default_factory=dict)  # grade_id -> nbgrader fields to overwrite


def full(**points):
    base = dict.fromkeys(TASKS02, 2.0)
    base.update(points)
    return base


CORPUS = [
    Entry("correct", points=full()),
    Entry(
        "correct_01",
        source=NB01,
        points={
            "test_line_fit": 2.0,
            "test_normal_equations": 2.0,
            "test_mse_gradient": 2.0,
            "test_gd_line_fit": 2.0,
        },
    ),
    Entry(
        "unmodified_exercise",
        source=EX02,
        points=dict.fromkeys(TASKS02, 0.0),
        contains=("is not written yet",),
    ),
    Entry(
        "loop_in_function",
        edits={
            "centered_difference": (
                "def centered_difference(f, x, h):\n    while True:\n        pass\n"
            )
        },
        points=full(test_centered=0.0),
        contains=("time limit",),
    ),
    Entry(
        "loop_ignoring_interrupt",
        edits={
            "forward_difference": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            + WRONG_FORWARD
            + "while True:\n    pass\n"
        },
        points=full(test_forward=0.0),
        contains=("restarted",),
    ),
    Entry(
        "allocate_unbounded",
        edits={
            "centered_difference": "def centered_difference(f, x, h):\n    hoard = []\n"
            "    while True:\n"
            "        hoard.append(np.ones(10**7))\n"
        },
        points=full(test_centered=0.0),
        contains=("MemoryError",),
    ),
    Entry(
        "os_exit",
        edits={
            "centered_difference": "import os\ndef centered_difference(f, x, h):\n    os._exit(0)\n"
        },
        points=full(test_centered=0.0),
        contains=("kernel died",),
    ),
    Entry(
        "segfault",
        edits={
            "numerical_gradient": (
                "import ctypes\ndef numerical_gradient(f, x, h):\n    return x\n"
                "ctypes.string_at(0)\n"
            )
        },
        points=full(test_gradient=0.0),
        contains=("died",),
    ),
    Entry(
        "print_megabytes",
        edits={
            "forward_difference": "print('x' * 20_000_000)\n"
            "def forward_difference(f, x, h):\n    return (f(np.asarray(x) + h) - f(x)) / h\n"
        },
        points=full(),
    ),
    # Deletes everything it can reach (".", "..", ~ and /tmp): only ever run inside bwrap.
    Entry(
        "delete_files",
        edits={"forward_difference": DELETE_FILES},
        points=full(),
        sandbox_only=True,
    ),
    Entry(
        "read_hidden_tests",
        edits={"forward_difference": READ_HIDDEN},
        points=full(),
        sandboxed_contains=("hidden-test notebooks found: 0; grader command lines seen: 0",),
    ),
    Entry(
        "patch_everything",
        edits={
            "forward_difference": PATCH_EVERYTHING,
            "centered_difference": "",
            "centered_error_curve": "",
            "numerical_gradient": "",
        },
        points=dict.fromkeys(TASKS02, 0.0),
    ),
    Entry(
        "forge_agent", edits={"forward_difference": FORGE_AGENT}, points=dict.fromkeys(TASKS02, 0.0)
    ),
    Entry(
        "tampered_tests",
        edits={
            "forward_difference": WRONG_FORWARD,
            "centered_difference": WRONG_CENTERED,
            "test_forward": "pass",
            "test_centered": None,
        },
        points=full(test_forward=0.0, test_centered=0.0),
    ),
    Entry(
        "uses_library",
        edits={
            "centered_difference": "from course_lib.derivatives import "
            "centered_difference as library_version\n"
            "def centered_difference(f, x, h):\n    return library_version(f, x, h)\n"
        },
        points=full(test_centered=0.0),
        contains=("switched off",),
    ),
    Entry(
        "student_exception",
        edits={
            "numerical_gradient": "def shape_helper(x):\n"
            "    raise ValueError('my helper is unfinished')\n"
            "def numerical_gradient(f, x, h):\n    return shape_helper(x)\n"
        },
        points=full(test_gradient=0.0),
        contains=("shape_helper", "my helper is unfinished"),
    ),
    Entry(
        "missing_task",
        edits={"centered_difference": None},
        points=full(test_centered=0.0),
        contains=("missing from the submission",),
    ),
    # Issue 20: a grade_id that is a JSON list crashed the whole plan (0/0, "internal grader
    # error"). Now the bad field is dropped with a note; the cell's code still runs as the
    # student's own, so the notebook keeps every point.
    Entry(
        "metadata_grade_id_list",
        metadata={
            "centered_difference": {"grade_id": ["centered_difference"]},
            "numerical_gradient": {"points": "lots", "solution": "yes"},
        },
        points=full(),
        contains=("nbgrader field 'grade_id' = [", "is invalid", "'points'"),
        absent=("internal grader error",),
    ),
    # Issue 22: a syntax error reached the student as "NameError: forward_difference".
    Entry(
        "syntax_error",
        edits={"forward_difference": "def forward_difference(f, x, h)\n    return x\n"},
        points=full(test_forward=0.0),
        contains=("SyntaxError: expected ':' (line 1: def forward_difference(f, x, h))",),
        absent=("NameError",),
    ),
    # Issue 22: a hidden test's failure showed the expected values. Passes the public check
    # (h >= 1e-4 there), fails the hidden one (h = 1e-7): the report names the line only.
    Entry(
        "hidden_values_stay_hidden",
        edits={
            "forward_difference": "def forward_difference(f, x, h):\n"
            "    x = np.asarray(x, dtype=float)\n"
            "    if h < 1e-5:\n        return 0.0 * x + 123.0\n"
            "    return (f(x + h) - f(x)) / h\n"
        },
        points=full(test_forward=0.0),
        contains=("a hidden test failed (an assertion at line 4", "are not shown"),
        absent=("Mismatched elements", "Not equal to tolerance", "ACTUAL", "DESIRED"),
    ),
    Entry("renamed_file", filename="homework.ipynb", points=full(), contains=("identified as",)),
    Entry(
        "not_json",
        raw=b"\x00\x01 this is not JSON {",
        points=dict.fromkeys(TASKS02, 0.0),
        contains=("not valid JSON",),
    ),
    Entry(
        "not_a_notebook",
        raw=b'{"hello": "world"}',
        points=dict.fromkeys(TASKS02, 0.0),
        contains=("not a Jupyter notebook",),
    ),
]


def build(entry: Entry, folder: Path) -> Path:
    """Write the entry's submission as ``folder/<entry.name>/<file>.ipynb``."""
    target = folder / entry.name / (entry.filename or entry.source.name)
    if entry.raw is not None:
        target = folder / entry.name / NB02.name
    target.parent.mkdir(parents=True, exist_ok=True)
    if entry.raw is not None:
        target.write_bytes(entry.raw)
        return target
    nb = json.loads(entry.source.read_text())
    cells = []
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in entry.edits:
            if entry.edits[gid] is None:
                continue
            cell = copy.deepcopy(cell)
            cell["source"] = entry.edits[gid]
        if gid in entry.metadata:
            cell = copy.deepcopy(cell)
            cell["metadata"]["nbgrader"].update(entry.metadata[gid])
        cells.append(cell)
    nb["cells"] = cells
    target.write_text(json.dumps(nb, indent=1))
    return target


# --------------------------------------------------------------------------------------
# Layout attacks (issues 20 and 22): files and folders, not notebook contents. All live in
# one submission root beside the victim "alice" (a correct 02, 8 points), who must keep her
# one report and her 8 whatever the others do.
# --------------------------------------------------------------------------------------

VICTIM = "alice"


@dataclass
class LayoutCase:
    name: str
    make: object  # callable(root) -> the path the outcome is about
    status: str  # "refused" or "graded"
    reason: str = ""  # text the refusal reason must contain
    score: float | None = None  # for "graded": the autograded score
    student: str | None = None  # for "graded": who it is graded as


def _victim(root: Path) -> Path:
    target = root / VICTIM / NB02.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(NB02.read_bytes())
    return target


def _link(at: Path, to) -> Path:
    at.parent.mkdir(parents=True, exist_ok=True)
    at.symlink_to(to)
    return at


def _nested_classmate(root):
    target = root / "mallory" / VICTIM / NB02.name
    target.parent.mkdir(parents=True)
    target.write_bytes(EX02.read_bytes())
    return target


def _fifo(root):
    import os

    target = root / "fifo_student" / NB02.name
    target.parent.mkdir(parents=True)
    os.mkfifo(target)
    return target


def _flat(root):
    target = root / "bob_02.ipynb"
    target.write_bytes(NB02.read_bytes())
    return target


def _nbgrader(root):
    folder = root / "dan" / "ps02"
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC\n")
    (folder / NB02.name).write_bytes(NB02.read_bytes())
    return folder / NB02.name


def _two_named(root):
    folder = root / "ivy"
    folder.mkdir()
    (folder / NB02.name).write_bytes(NB02.read_bytes())
    (folder / "my_copy.ipynb").write_bytes(EX02.read_bytes())
    return folder / "my_copy.ipynb"


def _two_named_graded(root):
    return root / "ivy" / NB02.name


def _two_unnamed(root):
    folder = root / "jo"
    folder.mkdir()
    (folder / "draft.ipynb").write_bytes(EX02.read_bytes())
    (folder / "final.ipynb").write_bytes(NB02.read_bytes())
    return folder / "final.ipynb"


def _formula_name(root):
    target = root / '=HYPERLINK("evil")' / NB02.name
    target.parent.mkdir()
    target.write_bytes(b"not a notebook")
    return target


LAYOUT_CASES = [
    LayoutCase(
        "nested_folder_named_after_classmate",
        _nested_classmate,
        "refused",
        "named after another student",
    ),
    LayoutCase(
        "file_link_to_classmate",
        lambda root: _link(root / "bob" / NB02.name, Path("..") / VICTIM / NB02.name),
        "refused",
        "symbolic link",
    ),
    LayoutCase(
        "folder_link_to_classmate",
        lambda root: _link(root / "carol", Path(VICTIM)),
        "refused",
        "symbolic link",
    ),
    LayoutCase(
        "link_to_solutions",
        lambda root: _link(root / "solutions" / NB02.name, NB02),
        "refused",
        "symbolic link",
    ),
    LayoutCase(
        "link_to_etc_shadow",
        lambda root: _link(root / "eve" / "shadow.ipynb", Path("/etc/shadow")),
        "refused",
        "symbolic link to '/etc/shadow'",
    ),
    LayoutCase(
        "link_to_dev_zero",
        lambda root: _link(root / "frank" / NB02.name, Path("/dev/zero")),
        "refused",
        "symbolic link to '/dev/zero'",
    ),
    LayoutCase("fifo_named_ipynb", _fifo, "refused", "FIFO"),
    LayoutCase("flat_folder_of_files", _flat, "refused", "flat folder of files is ambiguous"),
    LayoutCase("nbgrader_submitted_layout", _nbgrader, "graded", score=8.0, student="dan"),
    LayoutCase(
        "two_notebooks_one_named_like_the_assignment",
        _two_named,
        "refused",
        f"{NB02.name} is the one graded",
    ),
    LayoutCase(
        "two_notebooks_the_named_one_is_graded",
        _two_named_graded,
        "graded",
        score=8.0,
        student="ivy",
    ),
    LayoutCase(
        "two_notebooks_none_named_like_the_assignment",
        _two_unnamed,
        "refused",
        "so none is graded",
    ),
    # graded (as invalid: not JSON): what matters is the CSV cell, see the test
    LayoutCase("formula_as_student_name", _formula_name, "invalid", student='=HYPERLINK("evil")'),
]


def build_layouts(root: Path) -> dict[str, Path]:
    """The victim and every layout case under ``root``: case name -> the path it is about."""
    root.mkdir(parents=True, exist_ok=True)
    paths = {VICTIM: _victim(root)}
    for case in LAYOUT_CASES:
        paths[case.name] = case.make(root)
    return paths
