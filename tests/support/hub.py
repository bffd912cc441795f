"""The course's JupyterHub (deploy/jupyterhub/), started for a test as root on loopback, and its
people over HTTP.

- `running_hub(folder, graders, students, python)`: the hub with its settings file, on free ports,
  its users' servers in the environment of `python`; stopped afterwards by its id, with the proxy
  it started (its pid file) and every server (by the users' uids, users.end_processes).
- `Person.log_in()`: a `requests` session logged in with the user's password (PAM); `start_server()`
  waits for their server; `api(path)` calls it with the server's XSRF cookie, as the Lab does.

Under CI (CI=true) a hub or proxy that cannot start fails the test (an exception), never a skip."""
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from components import free_port

COURSE_ROOT = Path(__file__).resolve().parents[2]
CONFIG = COURSE_ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
HUB = Path(sys.executable).parent / "jupyterhub"  # the hub extra, in the kit's venv
START_SECONDS = 240  # a hub, or a JupyterLab server, starting on a loaded 2-core machine: wide


@dataclass
class Hub:
    url: str
    folder: Path
    exchange: Path
    process: subprocess.Popen
    log: Path

    def tail(self) -> str:
        return self.log.read_text()[-4000:]


@dataclass
class Person:
    hub: Hub
    name: str
    password: str
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def server(self) -> str:
        return f"{self.hub.url}/user/{self.name}"

    def log_in(self, password: str | None = None) -> requests.Response:
        """The hub's login form, as a browser posts it (its XSRF cookie first)."""
        self.session.get(f"{self.hub.url}/hub/login", timeout=60).raise_for_status()
        return self.session.post(f"{self.hub.url}/hub/login?next=", timeout=120, allow_redirects=False,
                                 data={"username": self.name, "password": password or self.password,
                                       "_xsrf": self.session.cookies.get("_xsrf", path="/hub/")})

    def start_server(self) -> None:
        """Ask the hub for the user's server, wait until its JupyterLab page answers them (which sets
        the server's XSRF cookie), then check its API answers with it."""
        self.session.get(f"{self.hub.url}/hub/spawn", timeout=120)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            page = self.session.get(f"{self.server}/lab", timeout=60, headers={"Sec-Fetch-Mode": "navigate"})
            if page.status_code == 200 and page.url.startswith(f"{self.server}/lab"):
                status = self.api("GET", "/api/status")
                assert status.status_code == 200, (status.status_code, status.text[:300])
                return
            if self.hub.process.poll() is not None:
                raise RuntimeError(f"the hub stopped:\n{self.hub.tail()}")
            time.sleep(1)
        raise RuntimeError(f"{self.name}'s server did not start in {START_SECONDS} s:\n{self.hub.tail()}")

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A request to the user's own server (or any URL under the hub), with the server's XSRF token."""
        xsrf = self.session.cookies.get("_xsrf", path=f"/user/{self.name}/")
        url = path if path.startswith("http") else f"{self.server}{path}"
        return self.session.request(method, url, headers={"X-XSRFToken": xsrf or ""}, timeout=300,
                                    allow_redirects=False, **kwargs)


def settings_text(folder: Path, graders: list[str], students: list[str], python: Path, course: Path) -> str:
    ports = {"port": free_port(), "hub_port": free_port(), "proxy_api_port": free_port()}
    lines = ['ip = "127.0.0.1"', *(f"{key} = {value}" for key, value in ports.items()),
             f'state = "{folder / "state"}"', f'environment = "{python.parent.parent}"',
             f'exchange = "{folder / "exchange"}"', f'course = "{course}"', f"graders = {graders!r}",
             f"students = {students!r}", 'cgroup = ""']
    return "\n".join(lines).replace("'", '"') + "\n"


@contextlib.contextmanager
def running_hub(folder: Path, graders: list[str], students: list[str], python: Path, course: Path):
    """The deployment's hub as root, its settings in `folder`; yields a Hub once it answers."""
    folder.mkdir(mode=0o755, parents=True, exist_ok=True)
    settings = folder / "hub.toml"
    settings.write_text(settings_text(folder, graders, students, python, course))
    port = next(line for line in settings.read_text().splitlines() if line.startswith("port ="))
    url = f"http://127.0.0.1:{port.split('=')[1].strip()}"
    log = folder / "hub.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "NNKIT"))}
    env["NNKIT_HUB_SETTINGS"] = str(settings)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "/usr/bin:/bin")])
    with open(log, "w") as out:
        process = subprocess.Popen([str(HUB), "-f", str(CONFIG)],
                                   cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(url, folder, folder / "exchange", process, log)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{url}/hub/login", timeout=10).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not start (exit {process.poll()}):\n{hub.tail()}")
            time.sleep(0.5)
        yield hub
    finally:
        stop(hub)


def stop(hub: Hub) -> None:
    """The hub (SIGTERM: it stops its proxy and the servers it spawned), then whatever of the proxy is
    left, by the id in its pid file."""
    proxy = hub.folder / "state" / "proxy.pid"
    proxy_pid = int(proxy.read_text()) if proxy.is_file() else None
    if hub.process.poll() is None:
        hub.process.send_signal(signal.SIGTERM)
        try:
            hub.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            hub.process.kill()
            hub.process.wait()
    if proxy_pid is not None and "configurable-http-proxy" in command_line(proxy_pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(proxy_pid, signal.SIGKILL)


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
