"""Who may do what on the course's hub: nbgrader's group names, the hub's scopes for each group,
each role's server environment, and the exchange folder.

nbgrader's JupyterHubAuthPlugin asks the hub, with the server's own token, which groups its user
is in (every user); a grader's course list also lists the hub's services, whose `prefix` a token
sees only with read:services (nbgrader#1831), and adding a student in formgrader adds them to the
course's group. A server's token holds only what its role needs."""
import os
from pathlib import Path

from nnkit.kernel.config import COURSE_ID

STUDENTS = f"nbgrader-{COURSE_ID}"
GRADERS = f"formgrade-{COURSE_ID}"
# The hub's defaults for a server's token (JupyterHub's Spawner.server_token_scopes), kept.
SERVER_DEFAULTS = ["access:servers!server", "users:activity!user"]
EVERYONE = ["read:users:name!user", "read:users:groups!user"]
GRADING = ["list:services", "read:services", "list:groups", f"read:groups!group={STUDENTS}",
           f"groups!group={STUDENTS}"]
# nbgrader's exchange folder: every user writes it (nbgrader's docs: ugo+rw); the sticky bit keeps
# a student from removing or renaming the course's folder in it, which the instructor owns.
EXCHANGE_MODE = 0o1777


def hub_roles() -> list[dict]:
    """The hub's roles: every user may read their own groups; graders may also list services and
    add students to the course's group."""
    return [{"name": "nbgrader-student", "scopes": EVERYONE, "groups": [STUDENTS, GRADERS]},
            {"name": "nbgrader-grader", "scopes": GRADING, "groups": [GRADERS]}]


def is_grader(user) -> bool:
    """In the course's graders' group (the hub's user)."""
    return any(group.name == GRADERS for group in user.groups)


def server_token_scopes(spawner) -> list[str]:
    return SERVER_DEFAULTS + EVERYONE + (GRADING if is_grader(spawner.user) else [])


def keep_private(folder: Path) -> None:
    """A home or the course folder: its owner's alone (useradd's default mode lets everyone read a
    home here), so that no student reads another's work, the answer keys or the gradebook."""
    folder.chmod(0o700)


def make_exchange(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(EXCHANGE_MODE)
    return root


# The variables jupyter-config/*/nbgrader_config.py read (spelled there too: a student's server has no kit).
COURSE_ID_VARIABLE, EXCHANGE_VARIABLE, COURSE_VARIABLE = "NNKIT_COURSE_ID", "NNKIT_EXCHANGE", "NNKIT_COURSE"


def server_environment(config: Path, exchange: Path, environment: Path, course: Path | None) -> dict[str, str]:
    """The variables of a user's server: what every user's Jupyter config has (the environment's own
    loads the students' tools only); a grader's (`course` given) adds theirs and names the course."""
    folders = [config / "common"] if course is None else [config / "grader", config / "common"]
    return {"JUPYTER_CONFIG_PATH": os.pathsep.join(map(str, folders)),
            COURSE_ID_VARIABLE: COURSE_ID, EXCHANGE_VARIABLE: str(exchange),
            "PATH": os.pathsep.join([str(environment / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
            **({} if course is None else {COURSE_VARIABLE: str(course)})}
