"""The hub of one course (docs/hub.md): Unix accounts through PAM, each user's server a process of
their own uid (LocalProcessSpawner), graders and students as nbgrader's JupyterHub groups.

Students get the assignment list and Validate (the servers' environment loads no other nbgrader
tool); graders also formgrader, in their own server in the course folder (nbgrader's "one class"
setup), and the course list, from jupyter-config/grader/, which the spawner puts on
JUPYTER_CONFIG_PATH. Settings: hub.toml, or the file NNKIT_HUB_SETTINGS names."""
import os
import pwd
import shutil
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import roles  # noqa: E402  (beside this file)
from environment import NODE_MODULES  # noqa: E402

from nnkit.sandbox.cgroups import SETTING as CGROUP_VARIABLE  # noqa: E402

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

settings = tomllib.loads(Path(os.environ.get("NNKIT_HUB_SETTINGS") or HERE / "hub.toml").read_text())
state = Path(settings["state"])
state.mkdir(mode=0o755, parents=True, exist_ok=True)
environment = Path(settings["environment"])

c.JupyterHub.ip = settings["ip"]
c.JupyterHub.port = settings["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings.get("hub_port", 8081)
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.get('proxy_api_port', 8001)}"
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
os.environ["NODE_PATH"] = os.pathsep.join(filter(None, [NODE_MODULES, os.environ.get("NODE_PATH")]))

# Who: Unix accounts, through PAM; only the course's people.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(settings["graders"]) | set(settings["students"])
c.JupyterHub.load_groups = {roles.STUDENTS: {"users": settings["students"]},
                            roles.GRADERS: {"users": settings["graders"]}}
c.JupyterHub.load_roles = roles.hub_roles()

# Where: nbgrader's exchange, one folder every user writes; the course folder, its graders' alone.
exchange = roles.make_exchange(Path(settings["exchange"]))
roles.keep_private(Path(settings["course"]))

# Each role's Jupyter config, copied where every user can read it (the repository may not be).
shutil.copytree(HERE / "jupyter-config", state / "jupyter-config", dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
for path in [state / "jupyter-config", *(state / "jupyter-config").rglob("*")]:
    path.chmod(0o755 if path.is_dir() else 0o644)

# How: each user's server, a process of their uid, in the one environment (environment.py).
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(environment / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = settings.get("start_timeout", 120)
c.Spawner.http_timeout = settings.get("start_timeout", 120)
c.Spawner.server_token_scopes = roles.server_token_scopes


def pre_spawn_hook(spawner):
    """A user's server: their home theirs alone, their role's config, the course's variables, the
    grader in the course folder."""
    roles.keep_private(Path(pwd.getpwnam(spawner.user.name).pw_dir))
    grader = roles.is_grader(spawner.user)
    course = Path(settings["course"]) if grader else None
    spawner.environment.update(roles.server_environment(state / "jupyter-config", exchange, environment, course))
    if grader:
        spawner.notebook_dir = str(course)
        if settings.get("cgroup"):
            spawner.environment[CGROUP_VARIABLE] = settings["cgroup"].format(user=spawner.user.name)


c.Spawner.pre_spawn_hook = pre_spawn_hook
