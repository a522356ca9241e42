# JupyterHub for one course on one machine: `course hub` writes the values below into
# COURSE_HUB_* environment variables and starts `jupyterhub -f` on this file. For a real class,
# copy it next to your hub (The Littlest JupyterHub: /opt/tljh/config/jupyterhub_config.d/) and
# replace the test authenticator by your institution's (OAuthenticator, LTI, ...).
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub's config loader defines get_config)

root = Path(os.environ["COURSE_HUB_ROOT"])
bin_dir = Path(sys.executable).parent

# Bound to the loopback interface only; put a TLS proxy (nginx, Traefik) in front for a class.
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ["COURSE_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["COURSE_HUB_API_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['COURSE_HUB_PROXY_PORT']}"
c.ConfigurableHTTPProxy.command = [os.environ["COURSE_HUB_PROXY_COMMAND"]]
c.ConfigurableHTTPProxy.auth_token = os.environ["COURSE_HUB_PROXY_TOKEN"]

# State of the hub (users, tokens) and its secrets live in the course's hub folder.
c.JupyterHub.db_url = f"sqlite:///{root / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(root / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(root / "jupyterhub.pid")

# Every user's server is a local process with a home folder of its own under the hub folder.
# SimpleLocalProcessSpawner runs all of them as the hub's own Unix user: good for testing and a
# single-instructor machine; on a shared machine use LocalProcessSpawner (one Unix user each,
# what TLJH does) so the file system, not only the hub, keeps students apart.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(root / "home" / "{username}")
c.Spawner.cmd = [str(bin_dir / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    # nbgrader in each user's server reads the course id and the exchange from here.
    "JUPYTER_CONFIG_PATH": str(root / "student-config"),
    "MPLBACKEND": "Agg",
}
if hasattr(os, "geteuid") and os.geteuid() == 0:
    c.Spawner.args = ["--allow-root"]

# A test authenticator: any listed user logs in with the shared password. Replace for a class.
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ["COURSE_HUB_PASSWORD"]
instructor = os.environ["COURSE_HUB_INSTRUCTOR"]
students = [s for s in os.environ["COURSE_HUB_STUDENTS"].split(",") if s]
c.Authenticator.allowed_users = {instructor, *students}
c.Authenticator.admin_users = {instructor}

# A service token for scripts (course hub prints it): create users, start servers, make tokens.
c.JupyterHub.services = [
    {"name": "course-admin", "api_token": os.environ["COURSE_HUB_ADMIN_TOKEN"]}
]
c.JupyterHub.load_roles = [
    {
        "name": "course-admin",
        "scopes": ["admin:users", "admin:servers", "tokens", "list:users"],
        "services": ["course-admin"],
    }
]
