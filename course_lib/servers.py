"""Local Jupyter servers for presenting and for the browser tests: JupyterLab and Voila.

Both listen on 127.0.0.1 only, behind a random token, and are stopped by their own process
id. ``course present`` opens a lecture's panels as a Voila app with :func:`start_voila` (with
``--slides``, the whole lecture as live reveal.js slides, template ``course-reveal``); the
real-browser tests (``tests/browser``) and ``make bench-ui`` start JupyterLab and Voila the
same way, so what is tested is what an instructor runs.

Examples
--------
>>> with start_lab("lectures") as lab:              # doctest: +SKIP
...     print(lab.url_for("lab/tree/01_closed_form_vs_iterative.ipynb"))
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# A Jupyter data folder holding the course's Voila templates (voila/templates/<name>):
# ``course-reveal`` is Voila's reveal template with reveal.js inlined from the course's copy.
VOILA_TEMPLATES = Path(__file__).resolve().parent / "presenting"


@dataclass
class Server:
    """A running server: its process, base URL (ending in ``/``), token and log file."""

    process: subprocess.Popen
    url: str
    token: str
    log: Path
    kind: str

    def url_for(self, path: str = "") -> str:
        """The address of ``path`` on this server, with the token as a query parameter."""
        sep = "&" if "?" in path else "?"
        return f"{self.url}{path.lstrip('/')}{sep}token={self.token}"

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after ``timeout`` seconds)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server's log, for an error message."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _root_flags() -> list[str]:
    """Jupyter refuses to run as root unless told to (containers, CI machines)."""
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def _launch(kind, args, port, token, log, cwd, env=None) -> Server:
    log = (
        Path(log)
        if log is not None
        else Path(tempfile.mkstemp(prefix=f"{kind}-", suffix=".log")[1])
    )
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1", **(env or {})}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
        )
    return Server(process, f"http://127.0.0.1:{port}/", token, log, kind)


def wait_until_ready(
    server: Server, probe: str, timeout: float = 90.0, *, any_answer: bool = False
) -> Server:
    """Poll ``probe`` (a path on the server) until it answers 200 (or, with ``any_answer``,
    any HTTP status at all), or raise RuntimeError with the end of the server's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.running():
            raise RuntimeError(
                f"{server.kind} exited with code {server.process.returncode} before it was "
                f"ready; its log:\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(server.url_for(probe), timeout=5) as response:
                if response.status == 200:
                    return server
        except urllib.error.HTTPError:
            if any_answer:
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(
        f"{server.kind} did not answer {probe} within {timeout:.0f} s; its log:\n"
        f"{server.log_tail()}"
    )


def _private_settings(settings: dict | None) -> list[str]:
    """Flags giving JupyterLab its own settings and workspaces folders (temporary)."""
    if settings is None:
        return []
    import json

    base = Path(tempfile.mkdtemp(prefix="lab-settings-"))
    for plugin, values in settings.items():
        package, _, name = plugin.partition(":")
        path = base / "user-settings" / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return [
        f"--LabApp.user_settings_dir={base / 'user-settings'}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
    ]


def start_lab(
    root,
    *,
    port: int | None = None,
    token: str | None = None,
    expose_app: bool = False,
    settings: dict | None = None,
    log=None,
    timeout: float = 90.0,
) -> Server:
    """JupyterLab serving ``root`` on 127.0.0.1, ready to take requests.

    Parameters
    ----------
    root : path
        The folder the file browser shows (JupyterLab autosaves outputs into what it opens:
        point it at a copy when the notebooks must stay clean).
    port : int, optional
        Default: a free port.
    token : str, optional
        Default: a random token.
    expose_app : bool
        Expose ``window.jupyterapp`` to the page (the browser tests drive commands with it).
    settings : dict, optional
        User settings for this server only, ``{"@jupyterlab/notebook-extension:tracker":
        {"windowingMode": "none"}}``; the server also gets a fresh workspace, so no layout
        from an earlier session is restored.
    log : path, optional
        Where the server's output goes (default: a temporary file).
    timeout : float
        Seconds to wait for the server to answer.
    """
    root = Path(root).resolve()
    if not root.is_dir():
        raise ValueError(f"root must be an existing folder, got {root}")
    port = free_port() if port is None else port
    token = secrets.token_hex(16) if token is None else token
    args = [
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        *(["--LabApp.expose_app_in_browser=True"] if expose_app else []),
        *_private_settings(settings),
        *_root_flags(),
    ]
    server = _launch("jupyter lab", args, port, token, log, root)
    return wait_until_ready(server, "api/status", timeout)


def start_voila(
    notebook,
    *,
    port: int | None = None,
    token: str | None = None,
    template: str | None = None,
    log=None,
    timeout=90.0,
) -> Server:
    """Voila rendering ``notebook`` (its outputs and widgets, no code) on 127.0.0.1.

    ``template`` is a Voila template name (default: Voila's own, ``lab``), looked up first
    among the course's templates (:data:`VOILA_TEMPLATES`): ``course-reveal`` serves the
    notebook as a reveal.js deck on a live kernel, sliders working (``course present NN
    --slides``).

    Voila executes the notebook when a page is opened, so readiness is probed with a path
    that only has to be answered (403), not with the notebook page.
    """
    notebook = Path(notebook).resolve()
    if not notebook.is_file():
        raise ValueError(f"notebook must be an existing .ipynb file, got {notebook}")
    port = free_port() if port is None else port
    token = secrets.token_hex(16) if token is None else token
    args = [
        "voila",
        str(notebook),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        f"--Voila.token={token}",
        "--VoilaConfiguration.show_tracebacks=True",
        # Voila streams a `window.voila_heartbeat()` script whenever the page's first bytes take
        # longer than this (10 s by default: a kernel starting on a loaded machine). Sent before
        # the template's <head>, it calls a function not yet defined: a page error in every
        # template. The heartbeat keeps proxies from timing out; on 127.0.0.1 there is none.
        "--VoilaConfiguration.http_keep_alive_timeout=3600",
    ]
    env = None
    if template is not None:
        args.append(f"--template={template}")
        # Voila finds templates in <Jupyter data dir>/voila/templates/<name>.
        path = os.pathsep.join(
            p for p in (str(VOILA_TEMPLATES), os.environ.get("JUPYTER_PATH")) if p
        )
        env = {"JUPYTER_PATH": path}
    server = _launch("voila", args, port, token, log, notebook.parent, env)
    return wait_until_ready(server, "voila/ready-probe", timeout, any_answer=True)
