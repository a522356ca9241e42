"""A JupyterHub for the course on one machine, with nbgrader's exchange: ``course hub``.

The hub runs the course as a class runs it: students log in, each gets a JupyterLab server of
their own, fetch an assignment from nbgrader's exchange and submit it there; the instructor
releases, collects and returns feedback with :mod:`course_lib.grading.exchange`. Everything
listens on 127.0.0.1 and lives in one folder (``root``):

- ``root/jupyterhub.sqlite``, cookie secret, pid file: the hub's own state;
- ``root/home/<user>``: each user's home (SimpleLocalProcessSpawner);
- ``root/exchange``: nbgrader's exchange (``Exchange.root``);
- ``root/student-config/nbgrader_config.py``: course id and exchange for every user server;
- ``root/course``: the instructor's nbgrader course folder (release/, submitted/, feedback/).

The configuration is the documented file :data:`CONFIG` (``course_lib/hub/jupyterhub_config.py``)
with its values passed in ``COURSE_HUB_*`` environment variables. The proxy is the npm package
``configurable-http-proxy`` (``make hub-deps`` installs it under ``.venv/chp``).

Examples
--------
>>> with start_hub("/tmp/class", students=["alice", "bob"]) as hub:   # doctest: +SKIP
...     token = hub.start_server("alice")
...     hub.user_api("alice", token, "POST", "assignments/fetch",
...                  {"course_id": hub.course_id, "assignment_id": "04_step_size"})
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from course_lib import servers

CONFIG = Path(__file__).resolve().parent / "jupyterhub_config.py"
PROXY_PACKAGE = "configurable-http-proxy"
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class HubError(RuntimeError):
    """The hub, a user's server or a REST call did not do what was asked."""


def proxy_command() -> str | None:
    """The ``configurable-http-proxy`` executable: ``$COURSE_HUB_PROXY_COMMAND``, the copy
    ``make hub-deps`` installs in ``.venv/chp``, or one on ``PATH``; ``None`` if none."""
    env = os.environ.get("COURSE_HUB_PROXY_COMMAND")
    if env:
        return env
    local = Path(sys.prefix) / "chp" / "node_modules" / ".bin" / PROXY_PACKAGE
    if local.exists():
        return str(local)
    return shutil.which(PROXY_PACKAGE)


def _check_name(name, what: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"{what} must be a user name of lower-case letters, digits, '-' or '_' starting "
            f"with a letter, got {name!r}"
        )
    return name


def student_config(exchange: Path, course_id: str) -> str:
    """The ``nbgrader_config.py`` every user server reads: course id, exchange, and who submits.

    nbgrader names a submission after the *Unix* user (``jovyan`` excepted). Under
    SimpleLocalProcessSpawner every student's server runs as the hub's Unix user, so without
    ``student_id = $JUPYTERHUB_USER`` every student would submit as that one user and each
    submission would replace the one before (seen: all of them collected as ``root``).
    """
    return (
        "# Written by `course hub`: the course and nbgrader exchange of every user's server.\n"
        "import os\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        "if os.environ.get('JUPYTERHUB_USER'):  # the hub's user, not the shared Unix user\n"
        "    c.CourseDirectory.student_id = os.environ['JUPYTERHUB_USER']\n"
    )


def instructor_config(course_dir: Path, exchange: Path, course_id: str) -> str:
    """The instructor's ``course/nbgrader_config.py``: the course folder and the exchange."""
    return (
        "# Written by `course hub`: the instructor's nbgrader course folder.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.CourseDirectory.root = {str(course_dir)!r}\n"
    )


@dataclass
class Hub:
    """A running hub: its server process, folders, admin token and the users' password."""

    server: servers.Server
    root: Path
    course_id: str
    instructor: str
    students: list[str]
    admin_token: str
    password: str
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    @property
    def course_dir(self) -> Path:
        return self.root / "course"

    def home(self, user: str) -> Path:
        return self.root / "home" / user

    # --- REST -------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, token: str, data=None, form=None):
        """``method`` on ``url + path`` with ``token``; JSON body ``data`` or form ``form``.

        Returns ``(status, parsed JSON or text)``; never raises for an HTTP error status."""
        headers = {"Authorization": f"token {token}"}
        body = None
        if data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.url + path.lstrip("/"), body, headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read().decode(errors="replace")
        try:
            return status, json.loads(text) if text else None
        except json.JSONDecodeError:
            return status, text

    def admin(self, method: str, path: str, data=None):
        """A hub REST call (``hub/api/...``) with the admin service token; raise on an error."""
        status, answer = self.request(method, f"hub/api/{path}", token=self.admin_token, data=data)
        if status >= 400:
            raise HubError(f"{method} hub/api/{path} answered {status}: {answer}")
        return answer

    def login(self, user: str, password: str | None = None) -> bool:
        """Log ``user`` in through the hub's login form (the authenticator decides)."""
        jar = urllib.request.HTTPCookieProcessor()
        opener = urllib.request.build_opener(jar, _NoRedirect())
        form = urllib.parse.urlencode(
            {"username": user, "password": self.password if password is None else password}
        ).encode()
        # The login form carries an XSRF token: fetch the page first for the cookie.
        with opener.open(self.url + "hub/login", timeout=30) as page:
            html = page.read().decode()
        match = re.search(r'name="_xsrf" value="([^"]+)"', html)
        if match:
            form += b"&" + urllib.parse.urlencode({"_xsrf": match.group(1)}).encode()
        try:
            opener.open(self.url + "hub/login", form, timeout=60)
        except urllib.error.HTTPError as err:
            if err.code == 302:  # redirected onward: logged in
                return any(c.name.startswith("jupyterhub-hub-login") for c in jar.cookiejar)
            if err.code in (403, 401):
                return False
            raise
        return any(c.name.startswith("jupyterhub-hub-login") for c in jar.cookiejar)

    def start_server(self, user: str, timeout: float = 120.0) -> str:
        """Create ``user`` if needed, start their server, and return an API token of theirs."""
        _check_name(user, "user")
        status, _ = self.request("GET", f"hub/api/users/{user}", token=self.admin_token)
        if status == 404:
            self.admin("POST", f"users/{user}")
        token = self.tokens.get(user)
        if token is None:
            answer = self.admin("POST", f"users/{user}/tokens", {"note": "course hub"})
            token = self.tokens[user] = answer["token"]
        status, answer = self.request("POST", f"hub/api/users/{user}/server", token=token)
        if status not in (201, 202, 400):  # 400: already running
            raise HubError(f"starting {user}'s server answered {status}: {answer}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.admin("GET", f"users/{user}")
            server = (model.get("servers") or {}).get("", {})
            if server.get("ready"):
                return token
            time.sleep(0.3)
        raise HubError(f"{user}'s server was not ready within {timeout:.0f} s")

    def user_api(self, user: str, token: str, method: str, path: str, data=None):
        """A call on ``user``'s own server (``user/<user>/<path>``) through the proxy."""
        return self.request(method, f"user/{user}/{path.lstrip('/')}", token=token, data=data)

    def stop(self) -> None:
        self.server.stop(timeout=20)

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def start_hub(
    root,
    *,
    course_id: str = "optim",
    instructor: str = "instructor",
    students=("alice", "bob", "carol"),
    port: int | None = None,
    password: str | None = None,
    log=None,
    timeout: float = 120.0,
) -> Hub:
    """Start JupyterHub on 127.0.0.1 for one course, with nbgrader's exchange in ``root``.

    Parameters
    ----------
    root : path
        Folder for the hub's state, the users' homes, the exchange and the course folder
        (created; an existing hub folder is reused, so a restart keeps users and tokens).
    course_id : str
        nbgrader's course id.
    instructor : str
        The admin user (the instructor); ``students`` the other users allowed to log in.
    port : int, optional
        The public port (default: a free one).
    password : str, optional
        The test authenticator's shared password (default: a random one, in ``Hub.password``).
    timeout : float
        Seconds to wait for the hub to answer.

    Raises
    ------
    RuntimeError
        When ``configurable-http-proxy`` is missing (``make hub-deps``, or ``npm install -g
        configurable-http-proxy``), or the hub does not start (with its log).
    """
    _check_name(instructor, "instructor")
    students = [_check_name(s, "students") for s in students]
    if not isinstance(course_id, str) or not re.match(r"^[A-Za-z0-9_-]+$", course_id):
        raise ValueError(f"course_id must be letters, digits, '-' or '_', got {course_id!r}")
    proxy = proxy_command()
    if proxy is None:
        raise RuntimeError(
            "configurable-http-proxy is missing: run `make hub-deps` (npm install into "
            ".venv/chp) or `npm install -g configurable-http-proxy`"
        )
    root = Path(root).resolve()
    for sub in ("home", "exchange", "student-config", "course"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(root / "exchange", 0o777)  # nbgrader wants a world-writable exchange root
    exchange, course = root / "exchange", root / "course"
    (root / "student-config" / "nbgrader_config.py").write_text(student_config(exchange, course_id))
    (course / "nbgrader_config.py").write_text(instructor_config(course, exchange, course_id))
    port = servers.free_port() if port is None else port
    admin_token = secrets.token_hex(24)
    password = secrets.token_urlsafe(12) if password is None else password
    env = {
        "COURSE_HUB_ROOT": str(root),
        "COURSE_HUB_PORT": str(port),
        "COURSE_HUB_API_PORT": str(servers.free_port()),
        "COURSE_HUB_PROXY_PORT": str(servers.free_port()),
        "COURSE_HUB_PROXY_COMMAND": proxy,
        "COURSE_HUB_PROXY_TOKEN": secrets.token_hex(24),
        "COURSE_HUB_PASSWORD": password,
        "COURSE_HUB_INSTRUCTOR": instructor,
        "COURSE_HUB_STUDENTS": ",".join(students),
        "COURSE_HUB_ADMIN_TOKEN": admin_token,
    }
    args = ["jupyterhub", "-f", str(CONFIG)]
    server = servers._launch("jupyterhub", args, port, admin_token, log, root, env)
    hub = Hub(server, root, course_id, instructor, students, admin_token, password)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.running():
            raise RuntimeError(
                f"jupyterhub exited with code {server.process.returncode}; its log:\n"
                f"{server.log_tail()}"
            )
        try:
            status, _ = hub.request("GET", "hub/api/users", token=admin_token)
            if status == 200:
                return hub
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"jupyterhub did not answer within {timeout:.0f} s:\n{server.log_tail()}")
