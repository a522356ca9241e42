"""One student kernel, driven cell by cell through jupyter_client over ``ipc`` sockets."""

from __future__ import annotations

import builtins
import json
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

from course_lib.grading._agent import MIME
from course_lib.grading._values import decode, dumps_for_kernel
from course_lib.grading.sandbox import Limits, kernel_command, kernel_environment

MAX_OUTPUT = 20_000
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


class Kernel:
    """A kernel in ``root/work`` (its working directory), sockets in ``root/rt``."""

    def __init__(self, root: Path, limits: Limits, sandboxed: bool):
        self.root, self.limits, self.sandboxed = Path(root), limits, sandboxed
        self.workdir = self.root / "work"
        self.runtime = self.root / "rt"
        self.proc = None
        self.client = None
        self.starts = 0

    # ---------------------------------------------------------------- life cycle
    def start(self) -> None:
        from jupyter_client.blocking import BlockingKernelClient

        self.starts += 1
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.runtime.mkdir(parents=True, exist_ok=True)
        info = {
            "transport": "ipc",
            "ip": str(self.runtime / f"k{self.starts}"),
            "shell_port": 1,
            "iopub_port": 2,
            "stdin_port": 3,
            "control_port": 4,
            "hb_port": 5,
            "key": secrets.token_hex(16),
            "signature_scheme": "hmac-sha256",
            "kernel_name": "",
        }
        connection = self.runtime / f"kernel{self.starts}.json"
        connection.write_text(json.dumps(info))
        command = kernel_command(
            connection, self.workdir, self.runtime, self.limits, self.sandboxed
        )
        log = open(self.root / "kernel.log", "ab")  # noqa: SIM115 - closed in shutdown
        self._log = log
        self.proc = subprocess.Popen(
            command,
            env=kernel_environment(self.workdir),
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        client = BlockingKernelClient()
        client.load_connection_info(info)
        client.start_channels()
        self.client = client
        deadline = time.monotonic() + self.limits.startup_timeout
        while True:
            if not self.alive():
                raise KernelDied("the kernel exited while starting")
            client.kernel_info()
            try:
                reply = client.get_shell_msg(timeout=1.0)
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
        run = self.execute(BOOTSTRAP, self.limits.startup_timeout)
        if run.status != "ok":
            raise KernelDied(f"the grader's agent could not start in the kernel: {run.error}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def shutdown(self) -> None:
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.wait()
            self.proc = None
            self._log.close()

    def restart(self) -> None:
        self.shutdown()
        self.start()

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

    def recover(self) -> bool:
        """After a timeout: interrupt, and report whether the kernel answers again."""
        if not self.alive():
            return False
        self.interrupt()
        probe = self.execute("None", 3.0)
        return probe.status == "ok"

    # ---------------------------------------------------------------- the agent
    def _ask(self, code: str, timeout: float):
        run = self.execute(code, timeout)
        if run.status == "timeout":
            raise CallTimeout(f"your code ran longer than the time limit ({timeout:.1f} s)")
        if run.status == "died":
            raise KernelDied(
                "the kernel died while running your code (a crash, os._exit, or the memory limit)"
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
