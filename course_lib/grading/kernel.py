"""One student kernel, driven cell by cell through jupyter_client over ``ipc`` sockets."""

from __future__ import annotations

import builtins
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

from course_lib.grading._agent import MIME
from course_lib.grading._values import decode, dumps_for_kernel
from course_lib.grading.sandbox import Limits, kernel_command, kernel_environment, make_cgroup

MAX_OUTPUT = 20_000
_MAX_SOCKET_FOLDER = 90
RUNNING: set = set()  # this process's kernels that have a process (killed on SIGTERM)
BOOTSTRAP = (
    "import course_lib.grading._agent as __course_agent_module__\n"
    "__course_agent_module__.install(get_ipython())\n"
    "del __course_agent_module__\n"
)


class CallTimeout(BaseException):
    """The student's code ran past the time limit (a BaseException: tests cannot swallow it)."""


class KernelDied(BaseException):
    """The student's kernel died (crash, ``os._exit``, memory)."""


class StudentError(Exception):
    """An exception raised by the student's code in the kernel, with its traceback as text."""

    student_type = "Exception"
    student_traceback = ""


def student_error(info: dict) -> StudentError:
    """A StudentError that is also an instance of the builtin exception the student raised."""
    name = str(info.get("type", "Exception"))[:100]
    message = str(info.get("message", ""))[:2000]
    base = None
    for candidate in info.get("builtin_bases", []):
        cls = getattr(builtins, str(candidate), None)
        if isinstance(cls, type) and issubclass(cls, Exception) and cls is not Exception:
            base = cls
            break
    bases = (StudentError, base) if base is not None else (StudentError,)
    try:
        exc = type(f"Student{name}", bases, {})(f"{name}: {message}")
    except Exception:  # noqa: BLE001 - a builtin whose constructor needs more arguments
        exc = StudentError(f"{name}: {message}")
    exc.student_type = name
    exc.student_traceback = str(info.get("traceback", ""))[-6000:]
    return exc


@dataclass
class CellRun:
    """What happened when code ran in the kernel."""

    status: str  # ok | error | timeout | died
    output: str = ""
    error: dict | None = None
    data: list = field(default_factory=list)
    seconds: float = 0.0


def _tree(root_pid: int) -> list[int]:
    """``root_pid`` and all its descendants (from ``/proc``; processes may vanish meanwhile)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name (field 2) may contain spaces and parentheses: split after it
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _memory_bytes(pid: int) -> int:
    """The process's resident memory that is not file-backed (from ``statm``: no lock taken).

    ``smaps_rollup`` would give the proportional set size, but reading it takes the
    process's memory-map lock: a tree thrashing at its limit then blocks the monitor for
    seconds. Pages shared after a ``fork`` count in every process that shares them, so the
    sum over-estimates a tree that forked.
    """
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            fields = handle.read().split()
        return (int(fields[1]) - int(fields[2])) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _folder_bytes(folder: Path) -> int:
    total = 0
    for path, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(path, name)).st_blocks * 512
            except OSError:
                pass
    return total


class TreeMonitor:
    """Watches a kernel's whole process tree and kills it when it takes too much.

    ``setrlimit`` limits one process: eight children of 1 GiB each stay under a 1 GiB
    ``RLIMIT_AS``. With a cgroup, every ``interval`` seconds this reads whether the cgroup
    reached its memory limit (then its own OOM killer may have stopped one process only)
    and how many processes it has. Without, it sums the resident anonymous memory of every
    process of the tree (:func:`_memory_bytes`) and counts them. Past ``Limits.memory_mb`` or
    ``Limits.processes`` (or, unsandboxed, past ``Limits.disk_mb`` of files in the working
    folder) it kills the tree and keeps the reason, which the grader reports. Sandboxed, the
    tree is complete: orphans are re-parented to the sandbox's own PID 1. (This is the mechanism
    where the grader cannot create cgroups (see ``sandbox.tree_limits``), and a second line
    of defence where it can.)
    """

    def __init__(
        self, proc, limits: Limits, workdir: Path | None, cgroup=None, interval: float = 0.1
    ):
        self.proc, self.limits, self.workdir, self.interval = proc, limits, workdir, interval
        self.cgroup = cgroup
        self.reason: str | None = None
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def check(self) -> str | None:
        if self.cgroup is not None:
            used = self.cgroup.memory_bytes()
            self.peak_bytes = max(self.peak_bytes, used)
            if used > self.limits.memory_mb * 2**20 or self.cgroup.memory_events():
                # (at the hard limit the cgroup's OOM killer may have stopped one process:
                # the kernel is stopped whole all the same)
                return (
                    "its processes together used more than the memory limit of "
                    f"{self.limits.memory_mb} MiB (all its processes and its files count)"
                )
            count = self.cgroup.processes()
            if count > self.limits.processes:
                return f"it ran {count} processes, more than the limit of {self.limits.processes}"
            return None
        pids = _tree(self.proc.pid)
        used = sum(map(_memory_bytes, pids))
        self.peak_bytes = max(self.peak_bytes, used)
        if used > self.limits.memory_mb * 2**20:
            return (
                f"its processes together used {used / 2**20:.0f} MiB, more than the "
                f"memory limit of {self.limits.memory_mb} MiB (all its processes count)"
            )
        if len(pids) > self.limits.processes:
            return f"it ran {len(pids)} processes, more than the limit of {self.limits.processes}"
        if self.workdir is not None:
            disk = _folder_bytes(self.workdir)
            if disk > self.limits.disk_mb * 2**20:
                return (
                    f"its files took {disk / 2**20:.0f} MiB, more than the limit of "
                    f"{self.limits.disk_mb} MiB"
                )
        return None

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            if self.proc.poll() is not None:
                return
            try:
                reason = self.check()
            except Exception:  # noqa: BLE001 - /proc races; try again at the next tick
                continue
            if reason is not None:
                self.reason = reason
                kill_tree(self.proc)
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def kill_tree(proc) -> None:
    """SIGKILL the kernel's process group and every descendant still alive."""
    for pid in reversed(_tree(proc.pid)) if proc.poll() is None else ():
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class Kernel:
    """A kernel whose working directory is ``root/work`` and whose sockets are in ``root/rt``.

    The connection file (with the key that signs the grader's messages) is written into
    ``root/private``, a folder the kernel cannot write, never into ``rt``, which it can.
    """

    def __init__(self, root: Path, limits: Limits, sandboxed: bool):
        self.root, self.limits, self.sandboxed = Path(root), limits, sandboxed
        self.workdir = self.root / "work"
        self.runtime = self.root / "rt"
        self.private = self.root / "private"
        self.proc = None
        self.client = None
        self.monitor: TreeMonitor | None = None
        self.cgroup = None
        self.death: str | None = None
        self.starts = 0
        self._outside: list[Path] = []  # socket folders outside root (root's path too long)

    # ---------------------------------------------------------------- life cycle
    def _write_connection(self, info: dict) -> Path:
        self.private.mkdir(mode=0o700, exist_ok=True)
        if self.private.is_symlink() or not self.private.is_dir():
            raise KernelDied("the grader's private folder is not a folder")
        path = self.private / f"kernel{self.starts}.json"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(info, handle)
        return path

    def start(self, timeout: float | None = None) -> None:
        from jupyter_client.blocking import BlockingKernelClient

        self.starts += 1
        self.death = None
        timeout = self.limits.startup_timeout if timeout is None else timeout
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.sandboxed:
            (self.workdir / "tmp").mkdir(exist_ok=True)
        # a fresh socket folder for each start: nothing left in the old one is reused
        self.runtime = self.root / f"rt{self.starts}"
        if len(str(self.runtime)) > _MAX_SOCKET_FOLDER:  # a socket's path has ~107 bytes
            self.runtime = Path(tempfile.mkdtemp(prefix=f"course-rt-{os.getpid()}-", dir="/tmp"))
            self._outside.append(self.runtime)
        else:
            self.runtime.mkdir(mode=0o700)
        info = {
            "transport": "ipc",
            "ip": str(self.runtime / "k"),
            "shell_port": 1,
            "iopub_port": 2,
            "stdin_port": 3,
            "control_port": 4,
            "hb_port": 5,
            "key": secrets.token_hex(16),
            "signature_scheme": "hmac-sha256",
            "kernel_name": "",
        }
        connection = self._write_connection(info)
        log = open(self.root / "kernel.log", "ab")  # noqa: SIM115 - closed in shutdown
        self._log = log
        fds: tuple[int, ...] = ()
        if self.sandboxed:
            fd = os.open(connection, os.O_RDONLY | os.O_NOFOLLOW)
            fds = (fd,)
            command = kernel_command(fd, self.workdir, self.runtime, self.limits, True)
        else:
            command = kernel_command(connection, self.workdir, self.runtime, self.limits, False)
        env = kernel_environment(self.workdir, self.sandboxed)
        self.cgroup = make_cgroup(self.limits)
        if self.cgroup is not None:
            env["COURSE_GRADER_CGROUPS"] = ":".join(self.cgroup.procs_files)
        try:
            self.proc = subprocess.Popen(
                command,
                env=env,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                pass_fds=fds,
            )
        finally:
            for fd in fds:
                os.close(fd)
        RUNNING.add(self)
        self.monitor = TreeMonitor(
            self.proc,
            self.limits,
            None if self.sandboxed else self.workdir,
            self.cgroup,
            interval=0.05 if self.cgroup is not None else 0.1,
        )
        client = BlockingKernelClient()
        client.load_connection_info(info)
        client.start_channels()
        self.client = client
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise KernelDied(self.death_reason("the kernel exited while starting"))
            client.kernel_info()
            try:
                reply = client.get_shell_msg(
                    timeout=min(1.0, max(deadline - time.monotonic(), 0.05))
                )
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                break
            if time.monotonic() > deadline:
                raise KernelDied("the kernel did not start in time")
        while True:  # drain the start-up chatter
            try:
                client.get_iopub_msg(timeout=0.2)
            except Empty:
                break
        run = self.execute(BOOTSTRAP, max(deadline - time.monotonic(), 1.0))
        if run.status != "ok":
            raise KernelDied(f"the grader's agent could not start in the kernel: {run.error}")

    def death_reason(self, default: str) -> str:
        """Why the kernel died: the memory or process limit if one stopped it, else ``default``."""
        reason = self.death or self._reason()
        return f"the kernel was stopped: {reason}" if reason else default

    def _reason(self) -> str | None:
        if self.monitor is None:
            return None
        return self.monitor.reason or (self.monitor.check() if self.cgroup is not None else None)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def shutdown(self) -> None:
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        if self.proc is not None:
            if self.monitor is not None:
                self.monitor.stop()
            self.death = self._reason()
            kill_tree(self.proc)
            self.proc.wait()
            self.proc = None
            self._log.close()
        if self.cgroup is not None:
            self.cgroup.kill_and_remove()
            self.cgroup = None
        for folder in self._outside:
            shutil.rmtree(folder, ignore_errors=True)
        self._outside.clear()
        RUNNING.discard(self)

    def restart(self, timeout: float | None = None) -> None:
        self.shutdown()
        self.start(timeout)

    def interrupt(self) -> None:
        if self.client is not None:
            msg = self.client.session.msg("interrupt_request", {})
            self.client.control_channel.send(msg)

    # ---------------------------------------------------------------- running code
    def execute(self, code: str, timeout: float) -> CellRun:
        """Run ``code``; never waits longer than ``timeout`` seconds."""
        start = time.monotonic()
        deadline = start + max(timeout, 0.05)
        if not self.alive():
            return CellRun("died")
        msg_id = self.client.execute(
            code, store_history=False, allow_stdin=False, stop_on_error=False
        )
        run = CellRun("ok")
        chunks, size = [], 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                run.status = "timeout"
                break
            try:
                msg = self.client.get_iopub_msg(timeout=min(0.1, remaining))
            except Empty:
                if not self.alive():
                    run.status = "died"
                    break
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and size < MAX_OUTPUT:
                text = str(content.get("text", ""))
                chunks.append(text[: MAX_OUTPUT - size])
                size += len(text)
            elif kind == "error":
                run.status = "error"
                run.error = {
                    "ename": str(content.get("ename", ""))[:200],
                    "evalue": str(content.get("evalue", ""))[:2000],
                    "traceback": "\n".join(map(str, content.get("traceback", [])))[-6000:],
                }
            elif kind in ("display_data", "execute_result"):
                data = content.get("data", {})
                if MIME in data:
                    run.data.append(data[MIME])
            elif kind == "status" and content.get("execution_state") == "idle":
                break
        if size > MAX_OUTPUT:
            chunks.append(f"\n[... output cut: {size} characters in all]")
        run.output = "".join(chunks)
        run.seconds = time.monotonic() - start
        return run

    def recover(self, timeout: float = 3.0) -> bool:
        """After a timeout: interrupt, and report whether the kernel answers again."""
        if not self.alive():
            return False
        self.interrupt()
        probe = self.execute("None", timeout)
        return probe.status == "ok"

    # ---------------------------------------------------------------- the agent
    def _ask(self, code: str, timeout: float):
        run = self.execute(code, timeout)
        if run.status == "timeout":
            raise CallTimeout(f"your code ran longer than the time limit ({timeout:.1f} s)")
        if run.status == "died":
            raise KernelDied(
                self.death_reason(
                    "the kernel died while running your code "
                    "(a crash, os._exit, or the memory limit)"
                )
            )
        if not run.data or not isinstance(run.data[-1], dict):
            detail = f" ({run.error['ename']}: {run.error['evalue']})" if run.error else ""
            raise StudentError(
                "the kernel gave the grader no answer: the grading helper in the "
                f"kernel was removed or replaced{detail}"
            )
        return run.data[-1]

    def call(self, name: str, args, kwargs, block, timeout: float):
        """``name(*args, **kwargs)`` in the kernel; the result as data, or StudentError."""
        payload = dumps_for_kernel((args, kwargs, tuple(block)))
        answer = self._ask(f"__course_agent__.call({name!r}, {payload!r})", timeout)
        if "ok" in answer:
            try:
                return decode(answer["ok"])
            except (ValueError, TypeError, KeyError) as err:
                raise StudentError(
                    f"the value returned by {name} could not be read: {err}"
                ) from None
        raise student_error(answer.get("error", {}) if isinstance(answer, dict) else {})

    def describe(self, name: str, timeout: float) -> dict:
        answer = self._ask(f"__course_agent__.describe({name!r})", timeout)
        return answer if isinstance(answer, dict) else {"kind": "missing"}
