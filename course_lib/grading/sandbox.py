"""Starting a student's kernel: in a bubblewrap sandbox when possible, with resource limits.

The sandbox (``bwrap``) shows the kernel only what it needs: ``/usr``, the Python
installation and virtual environment, the ``course_lib`` package directory, and writable
folders of its own: its working directory and ``/tmp`` (two RAM-backed ``tmpfs`` whose
size is capped, ``Limits.disk_mb`` between them) and a runtime folder for the ``ipc``
sockets through which the grader talks to it. It has its own user, PID, network, IPC and
UTS namespaces: no network, no view of the grader's processes (whose command line names
the solutions folder), no solutions, no other submissions.

The kernel's connection file (its HMAC key) never lives in a folder the kernel can write:
the grader writes it into a private folder of its own (``O_CREAT | O_EXCL | O_NOFOLLOW``)
and bwrap copies it from an open file descriptor to a read-only file in the sandbox
(``--ro-bind-data``), so nothing the student plants (a symlink, say) is ever followed by
the grader.

Limits are applied by a tiny launcher that calls ``setrlimit`` and ``exec``s bwrap:
address space, CPU seconds and file size per process, no core files, and the parent-death
signal, so a kernel never outlives its grader. The whole process tree is limited too
(:func:`tree_limits`, reported as ``mechanism`` in every report):

* ``cgroup``: when the grader may create cgroups with the memory and pids controllers
  (cgroup v2 with both delegated, or cgroup v1's ``memory`` and ``pids`` hierarchies, as
  for a root grader), the launcher moves itself into a new cgroup per kernel:
  ``Limits.processes`` processes and threads, and memory for all its processes together
  (files in its tmpfs count too): the kernel is stopped as soon as the cgroup's charge
  passes ``Limits.memory_mb`` (checked every 50 ms), and the cgroup's hard limit, 1/8
  higher, is never passed.
* ``monitor``: otherwise. Inside the sandbox a second launcher sets ``RLIMIT_NPROC`` (the
  kernel runs in its own user namespace, where Linux >= 5.14 counts per namespace; root is
  exempt from it), and the grader watches the tree from outside
  (:class:`course_lib.grading.kernel.TreeMonitor`): the proportional set sizes of all its
  processes summed above ``Limits.memory_mb``, or more than ``Limits.processes``
  processes, kill it.

The monitor runs in both cases (a second line of defence).

Without a working ``bwrap`` (or with ``COURSE_GRADER_SANDBOX=off``, or ``--no-sandbox``) the
kernel runs unsandboxed with the same per-process limits, the tree monitor (memory, number
of processes, and the size of its working folder, where its ``TMPDIR`` points), and every
report says so.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

UNSANDBOXED_WARNING = (
    "UNSANDBOXED: bubblewrap (bwrap) was not used, so the student's code could read every "
    "file the grader can read, including the solutions and other submissions. Install the "
    "Debian package 'bubblewrap' to grade for credit."
)
ENV_SWITCH = "COURSE_GRADER_SANDBOX"

CONNECTION_FILE = "/run/course-grader/kernel.json"

# Outside the sandbox: per-process limits, the parent-death signal, and (for a root grader)
# the kernel's own cgroups; then exec bwrap (or the kernel itself when unsandboxed).
_LAUNCHER = (
    "import ctypes, os, resource, signal, sys\n"
    "mem, cpu, fsize = (int(v) for v in sys.argv[1:4])\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)\n"
    "if os.getppid() != int(os.environ.pop('COURSE_GRADER_PARENT', os.getppid())):\n"
    "    os._exit(1)\n"
    "for procs in filter(None, os.environ.pop('COURSE_GRADER_CGROUPS', '').split(':')):\n"
    "    with open(procs, 'w') as handle: handle.write(str(os.getpid()))\n"
    "if mem > 0: resource.setrlimit(resource.RLIMIT_AS, (mem, mem))\n"
    "if cpu > 0: resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))\n"
    "if fsize > 0: resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))\n"
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
    "os.execvp(sys.argv[4], sys.argv[4:])\n"
)
# Inside the sandbox (its own user namespace): the number of processes and threads.
_INNER_LAUNCHER = (
    "import os, resource, sys\n"
    "n = int(sys.argv[1])\n"
    "if n > 0: resource.setrlimit(resource.RLIMIT_NPROC, (n, n))\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


@dataclass(frozen=True)
class Limits:
    """Resource limits of one kernel (seconds, MiB)."""

    cell_timeout: float = 30.0
    notebook_timeout: float = 600.0
    memory_mb: int = 2048  # the whole process tree (proportional set size), and per process
    file_size_mb: int = 64  # one file
    startup_timeout: float = 60.0
    disk_mb: int = 256  # all files the kernel writes (working folder and /tmp together)
    processes: int = 64  # processes and threads of the kernel's tree


class Cgroup:
    """One kernel's cgroup(s): created before the kernel starts, removed after it ends."""

    def __init__(self, folders: list[Path], version: int):
        self.folders, self.version = folders, version

    @property
    def procs_files(self) -> list[str]:
        return [str(f / "cgroup.procs") for f in self.folders]

    def memory_events(self) -> int:
        """How often the memory limit was hit (0 when it never was)."""
        for folder in self.folders:
            for name, key in (("memory.events", "max"), ("memory.failcnt", None)):
                try:
                    text = (folder / name).read_text()
                except OSError:
                    continue
                if key is None:
                    return int(text.strip() or 0)
                for line in text.splitlines():
                    field_name, _, value = line.partition(" ")
                    if field_name in ("max", "oom_kill") and int(value or 0):
                        return int(value)
        return 0

    def memory_bytes(self) -> int:
        """The memory charged to the cgroup now: its processes, their page cache, its tmpfs."""
        for folder in self.folders:
            for name in ("memory.current", "memory.usage_in_bytes"):
                try:
                    return int((folder / name).read_text())
                except (OSError, ValueError):
                    continue
        return 0

    def processes(self) -> int:
        """The number of processes and threads in the cgroup (0 if unknown)."""
        for folder in self.folders:
            try:
                return int((folder / "pids.current").read_text())
            except (OSError, ValueError):
                continue
        return 0

    def kill_and_remove(self) -> None:
        import signal

        for _ in range(50):
            pids = set()
            for procs in self.procs_files:
                try:
                    pids |= {int(x) for x in Path(procs).read_text().split()}
                except (OSError, ValueError):
                    pass
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            for folder in self.folders:
                try:
                    folder.rmdir()
                except FileNotFoundError:
                    pass
                except OSError:
                    continue
            if not any(f.exists() for f in self.folders):
                return
            import time

            time.sleep(0.02)


def _own_cgroups() -> dict[str, str]:
    """controller (or "" for v2) -> this process's cgroup path, from /proc/self/cgroup."""
    found = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            found[name] = path
    return found


def _cgroup_parents() -> tuple[int, list[Path]] | None:
    """Folders under which this process may create kernel cgroups, with their version."""
    own = _own_cgroups()
    base = Path("/sys/fs/cgroup")
    if "memory" in own and "pids" in own:  # cgroup v1
        folders = [
            base / "memory" / own["memory"].lstrip("/"),
            base / "pids" / own["pids"].lstrip("/"),
        ]
        if all((f / "cgroup.procs").exists() and os.access(f, os.W_OK) for f in folders):
            return 1, folders
    if "" in own:  # cgroup v2: both controllers must already be delegated to our children
        for root in (base, base / "unified"):
            folder = root / own[""].lstrip("/")
            try:
                enabled = (folder / "cgroup.subtree_control").read_text().split()
            except OSError:
                continue
            if {"memory", "pids"} <= set(enabled) and os.access(folder, os.W_OK):
                return 2, [folder]
    return None


def tree_limits() -> str:
    """``"cgroup"`` when this grader can give each kernel its own cgroup, else ``"monitor"``."""
    return "cgroup" if _cgroup_works() else "monitor"


@functools.lru_cache(maxsize=1)
def _cgroup_works() -> bool:
    if os.environ.get("COURSE_GRADER_CGROUPS_OFF"):
        return False
    try:
        group = make_cgroup(Limits())
    except OSError:
        return False
    if group is None:
        return False
    group.kill_and_remove()
    return True


def make_cgroup(limits: Limits) -> Cgroup | None:
    """A new cgroup limiting a kernel's whole tree, or None where none can be made."""
    import secrets

    if os.environ.get("COURSE_GRADER_CGROUPS_OFF"):
        return None
    found = _cgroup_parents()
    if found is None:
        return None
    version, parents = found
    name = f"course-grader-{os.getpid()}-{secrets.token_hex(4)}"
    # The hard limit leaves headroom above Limits.memory_mb: the tree monitor stops the
    # kernel as soon as it passes memory_mb. At the hard limit itself the kernel would
    # reclaim page cache (shared with the grader) for seconds before its OOM killer acts.
    memory = str(limits.memory_mb * 2**20 + max(limits.memory_mb * 2**17, 64 * 2**20))
    folders = []
    try:
        for parent in parents:
            folder = parent / name
            folder.mkdir()
            folders.append(folder)
            if version == 2:
                (folder / "memory.max").write_text(memory)
                (folder / "memory.swap.max").write_text("0") if (
                    folder / "memory.swap.max"
                ).exists() else None
                (folder / "pids.max").write_text(str(limits.processes))
            elif parent == parents[0]:  # v1: the memory hierarchy, then the pids one
                (folder / "memory.limit_in_bytes").write_text(memory)
            else:
                (folder / "pids.max").write_text(str(limits.processes))
    except OSError:
        Cgroup(folders, version).kill_and_remove()
        raise
    return Cgroup(folders, version)


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=4)
def _bwrap_works(bwrap: str) -> bool:
    """Whether ``bwrap`` can sandbox here with every option the kernel's command uses.

    ``--size`` (a size-limited tmpfs) and ``--ro-bind-data`` need bubblewrap >= 0.6; an
    older one counts as not working, rather than failing every kernel.
    """
    read, write = os.pipe()
    os.write(write, b"{}")
    os.close(write)
    command = [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/"]
    command += ["--size", str(2**20), "--tmpfs", "/tmp", "--perms", "0444"]
    command += ["--ro-bind-data", str(read), "/tmp/probe.json", "true"]
    try:
        probe = subprocess.run(command, capture_output=True, timeout=20, pass_fds=(read,))
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        os.close(read)
    return probe.returncode == 0


def sandbox_available(requested: bool = True) -> tuple[bool, str | None]:
    """Whether kernels will be sandboxed, and the warning to print when they are not."""
    if not requested or os.environ.get(ENV_SWITCH, "").lower() in ("0", "off", "no", "false"):
        return False, UNSANDBOXED_WARNING + " (sandbox switched off)"
    bwrap = bwrap_path()
    if bwrap is None:
        return False, UNSANDBOXED_WARNING + " (bwrap not found)"
    if not _bwrap_works(bwrap):
        return False, UNSANDBOXED_WARNING + (
            " (bwrap is installed but cannot create a sandbox here, or is older than 0.6)"
        )
    return True, None


def _visible_paths() -> list[str]:
    """Folders the kernel must see read-only: Python, its packages, course_lib."""
    import course_lib

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        paths.add(sysconfig.get_paths()[key])
    paths.add(str(Path(course_lib.__file__).resolve().parent))
    paths = {str(Path(p).resolve()) for p in paths if p and Path(p).exists()}
    # keep the outermost folders only
    return sorted(p for p in paths if not any(p != q and p.startswith(q + os.sep) for q in paths))


def _root_entries() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for etc in (
        "ld.so.cache",
        "ld.so.conf",
        "ld.so.conf.d",
        "localtime",
        "fonts",
        "alternatives",
        "passwd",
        "group",
        "nsswitch.conf",
    ):
        args += ["--ro-bind-try", f"/etc/{etc}", f"/etc/{etc}"]
    return args


def kernel_command(
    connection: Path | int, workdir: Path, runtime: Path, limits: Limits, sandboxed: bool
) -> list[str]:
    """The command that starts one kernel, limited and (if ``sandboxed``) in bwrap.

    ``connection`` is the connection file's path (unsandboxed) or, sandboxed, a file
    descriptor open on it, which the caller passes to the child (``pass_fds``): bwrap copies
    it into the sandbox read-only, at :data:`CONNECTION_FILE`.
    """
    inside = CONNECTION_FILE if sandboxed else str(connection)
    kernel = [
        sys.executable,
        "-m",
        "ipykernel_launcher",
        "-f",
        inside,
        "--HistoryManager.enabled=False",
    ]
    cpu = int(limits.notebook_timeout) + 30
    head = [
        sys.executable,
        "-c",
        _LAUNCHER,
        str(limits.memory_mb * 2**20),
        str(cpu),
        str(limits.file_size_mb * 2**20),
    ]
    if not sandboxed:
        return head + kernel
    if not isinstance(connection, int):
        raise TypeError("connection: a sandboxed kernel needs an open file descriptor")
    box = [
        bwrap_path(),
        "--die-with-parent",
        "--new-session",
        "--unshare-all",
        "--cap-drop",
        "ALL",
        "--hostname",
        "grader",
    ]
    box += _root_entries()
    # The private /tmp comes before the read-only binds: bwrap applies mounts in order, and
    # a checkout (with its .venv) that lives under /tmp must stay visible on top of it.
    # Both writable folders are tmpfs (RAM) of a fixed size: files cannot grow without bound.
    tmp_bytes = max(limits.disk_mb // 2, 1) * 2**20
    work_bytes = max(limits.disk_mb - limits.disk_mb // 2, 1) * 2**20
    box += ["--size", str(tmp_bytes), "--tmpfs", "/tmp"]
    for path in _visible_paths():
        box += ["--ro-bind", path, path]
    box += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--perms",
        "0444",
        "--ro-bind-data",
        str(connection),
        CONNECTION_FILE,
        "--bind",
        str(runtime),
        str(runtime),
        "--size",
        str(work_bytes),
        "--tmpfs",
        str(workdir),
        "--chdir",
        str(workdir),
        "--",
        sys.executable,
        "-c",
        _INNER_LAUNCHER,
        str(limits.processes),
    ]
    return head + box + kernel


def kernel_environment(workdir: Path, sandboxed: bool = True) -> dict[str, str]:
    """A small, clean environment: none of the grader's variables leak into the kernel.

    Unsandboxed, ``TMPDIR`` points into the working folder, whose size the tree monitor
    watches (sandboxed, ``/tmp`` is the sandbox's own size-limited tmpfs).
    """
    env = {
        "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": "/tmp" if sandboxed else str(workdir / "tmp"),
        "COURSE_GRADER_PARENT": str(os.getpid()),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(workdir / ".config" / "matplotlib"),
        "IPYTHONDIR": str(workdir / ".ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    return env
