"""Starting a student's kernel: in a bubblewrap sandbox when possible, with resource limits.

The sandbox (``bwrap``) shows the kernel only what it needs: ``/usr``, the Python
installation and virtual environment, the ``course_lib`` package directory, a private
``/tmp``, and two folders of its own (its working directory and a runtime folder for the
``ipc`` sockets through which the grader talks to it). It has its own PID, network, IPC and
UTS namespaces: no network, no view of the grader's processes (whose command line names the
solutions folder), no solutions, no other submissions.

Limits (address space, CPU seconds, file size) are applied by a tiny launcher that calls
``setrlimit`` and then ``exec``s bwrap; they are inherited by the kernel.

Without a working ``bwrap`` (or with ``COURSE_GRADER_SANDBOX=off``, or ``--no-sandbox``) the
kernel runs unsandboxed with the same limits, and every report says so.
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

_LAUNCHER = (
    "import os, resource, sys\n"
    "mem, cpu, fsize = (int(v) for v in sys.argv[1:4])\n"
    "if mem > 0: resource.setrlimit(resource.RLIMIT_AS, (mem, mem))\n"
    "if cpu > 0: resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))\n"
    "if fsize > 0: resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))\n"
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
    "os.execvp(sys.argv[4], sys.argv[4:])\n"
)


@dataclass(frozen=True)
class Limits:
    """Resource limits of one kernel (seconds, MiB)."""

    cell_timeout: float = 30.0
    notebook_timeout: float = 600.0
    memory_mb: int = 2048
    file_size_mb: int = 64
    startup_timeout: float = 60.0


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=4)
def _bwrap_works(bwrap: str) -> bool:
    try:
        probe = subprocess.run(
            [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
            capture_output=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def sandbox_available(requested: bool = True) -> tuple[bool, str | None]:
    """Whether kernels will be sandboxed, and the warning to print when they are not."""
    if not requested or os.environ.get(ENV_SWITCH, "").lower() in ("0", "off", "no", "false"):
        return False, UNSANDBOXED_WARNING + " (sandbox switched off)"
    bwrap = bwrap_path()
    if bwrap is None:
        return False, UNSANDBOXED_WARNING + " (bwrap not found)"
    if not _bwrap_works(bwrap):
        return False, UNSANDBOXED_WARNING + " (bwrap is installed but cannot create a sandbox)"
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
    connection_file: Path, workdir: Path, runtime: Path, limits: Limits, sandboxed: bool
) -> list[str]:
    """The command that starts one kernel, limited and (if ``sandboxed``) in bwrap."""
    kernel = [
        sys.executable,
        "-m",
        "ipykernel_launcher",
        "-f",
        str(connection_file),
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
    box += ["--tmpfs", "/tmp"]
    for path in _visible_paths():
        box += ["--ro-bind", path, path]
    box += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--bind",
        str(runtime),
        str(runtime),
        "--bind",
        str(workdir),
        str(workdir),
        "--chdir",
        str(workdir),
        "--",
    ]
    return head + box + kernel


def kernel_environment(workdir: Path) -> dict[str, str]:
    """A small, clean environment: none of the grader's variables leak into the kernel."""
    env = {
        "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": "/tmp",
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
