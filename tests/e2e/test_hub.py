"""The course's JupyterHub (deploy/jupyterhub/), started as root on loopback with throwaway Unix
users (one grader, two students) whose passwords chpasswd sets: each logs in with their password
(PAM), their server runs as their own uid, each role sees its own tools, over HTTP and in
Chromium; the instructor generates and releases `activations` from formgrader's API and a student
fetches it from the Assignments panel.

The servers' environment is the deployment's (deploy/jupyterhub/environment.py), with the release
folders whose requirements this machine can install: backprop's CPU-only torch comes from
download.pytorch.org, which test machines cannot reach (as in tests/course/test_install.py)."""
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

import users
from components import require, unusable
from deploy.jupyterhub import environment
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ID

pytestmark = pytest.mark.slow  # a hub, three JupyterLab servers and Chromium

RELEASED = "activations"
INSTALLABLE = [name for name in ASSIGNMENTS
               if "download.pytorch.org" not in (users.COURSE_ROOT / "release" / name / "requirements.txt").read_text()]


def set_password(user: users.User) -> str:
    password = secrets.token_urlsafe(16)
    subprocess.run(["chpasswd"], input=f"{user.name}:{password}\n", text=True, check=True, capture_output=True)
    return password


@pytest.fixture(scope="module")
def deployment():
    """{role: Person} on a running hub: "instructor" (a grader, with a copy of the course in their
    home), "student1", "student2"."""
    from hub import HUB, Person, running_hub

    if users.can_make_users():
        unusable(users.can_make_users())
    require("node-configurable-http-proxy")
    if not HUB.is_file():
        unusable(f"{HUB} is not installed: the hub extra (make .venv/.installed-hub; make test installs it)")
    python = users.shared_environment("hub-servers", environment.server_requirements(INSTALLABLE))
    environment.configure(python.parent.parent)
    with ExitStack() as stack:
        people = {role: stack.enter_context(users.throwaway_user(prefix))
                  for role, prefix in (("instructor", "nnkhi"), ("student1", "nnkhs"), ("student2", "nnkhs"))}
        course = users.course_copy(people["instructor"].home / "course", people["instructor"])
        folder = Path(tempfile.mkdtemp(prefix="nnkit-hub-"))  # every user reads its config (pytest's tmp: root's alone)
        folder.chmod(0o755)
        stack.callback(shutil.rmtree, folder, True)
        hub = stack.enter_context(running_hub(folder, [people["instructor"].name],
                                              [people["student1"].name, people["student2"].name], python, course))
        yield {role: Person(hub, user.name, set_password(user)) for role, user in people.items()}


def server_uids(name: str) -> set[int]:
    """The uids of the processes running `name`'s single-user server."""
    uids = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            if any(part.endswith(b"jupyterhub-singleuser") for part in command) \
                    and f"JUPYTERHUB_USER={name}".encode() in environ:
                uids.add(os.stat(f"/proc/{pid}").st_uid)
        except OSError:
            continue
    return uids


def test_each_person_logs_in_with_their_password_and_their_server_runs_as_them(deployment):
    wrong = deployment["student1"].log_in(password="not-" + deployment["student1"].password)
    assert wrong.status_code == 403, wrong.status_code  # PAM said no
    for person in deployment.values():
        answer = person.log_in()
        assert answer.status_code == 302, (answer.status_code, answer.text[-500:])
        person.start_server()
        assert server_uids(person.name) == {pwd.getpwnam(person.name).pw_uid}
        home = person.api("GET", "/api/contents")
        assert home.status_code == 200 and home.json()["type"] == "directory", home.text[:300]
    # Another user's server is not theirs: the hub refuses them its authorization.
    intrusion = deployment["student1"].session.get(f"{deployment['instructor'].server}/api/contents", timeout=120)
    assert intrusion.status_code == 403, (intrusion.status_code, intrusion.url)


def test_each_role_has_its_own_tools_and_the_hub_keeps_its_frame_protection(deployment):
    instructor, student = deployment["instructor"], deployment["student1"]
    status = instructor.api("GET", "/formgrader/api/status")
    assert status.status_code == 200 and status.json() == {"status": True}, status.text[:300]
    assert instructor.api("GET", "/formgrader/api/assignments").status_code == 200
    courses = instructor.api("GET", "/formgraders").json()
    assert [c["course_id"] for c in courses["value"]] == [COURSE_ID], courses
    for path in ("/formgrader/api/status", "/formgraders"):
        assert student.api("GET", path).status_code == 404, path  # not loaded in a student's server
    assert student.api("GET", "/assignments", params={"course_id": COURSE_ID}).json()["success"]
    # nbgrader#1870: JupyterHub >= 4.1 forbids framing a server's pages; formgrader opens in its own tab.
    page = instructor.api("GET", "/formgrader/manage_assignments")
    assert page.status_code == 200 and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_the_instructor_releases_and_a_student_sees_and_fetches_it_in_jupyterlab(deployment, request, tmp_path):
    from selenium.webdriver.common.by import By
    from test_browser import SCREENSHOTS, make_browser, wait_for

    instructor, student = deployment["instructor"], deployment["student1"]
    for step in ("assign", "release"):
        done = instructor.api("POST", f"/formgrader/api/assignment/{RELEASED}/{step}")
        assert done.status_code == 200 and done.json()["success"], (step, done.text[-2000:])
    outbound = instructor.hub.exchange / COURSE_ID / "outbound" / RELEASED
    assert (outbound / f"{RELEASED}.ipynb").is_file()
    listed = deployment["student2"].api("GET", "/assignments", params={"course_id": COURSE_ID}).json()
    assert [a["assignment_id"] for a in listed["value"]] == [RELEASED], listed

    SCREENSHOTS.mkdir(exist_ok=True)
    with make_browser(request, tmp_path / "student") as browser:
        log_in(browser, student)
        open_menu(browser, "Nbgrader")
        items = menu_items(browser)
        assert "Assignment List" in items and not {"Formgrader", "Course List"} & set(items), items
        next(e for e in browser.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel") if e.text == "Assignment List").click()
        row = wait_for(browser, lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "#released_assignments_list .list_item")
                                           if RELEASED in r.text], "the released assignment")[0]
        browser.save_screenshot(str(SCREENSHOTS / "hub-student-assignments.png"))
        row.find_element(By.TAG_NAME, "button").click()
        wait_for(browser, lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "#fetched_assignments_list .list_item")
                                     if RELEASED in r.text], "the fetched assignment")
        browser.save_screenshot(str(SCREENSHOTS / "hub-student-fetched.png"))
    fetched = Path(pwd.getpwnam(student.name).pw_dir) / RELEASED / f"{RELEASED}.ipynb"
    assert fetched.is_file() and fetched.stat().st_uid == pwd.getpwnam(student.name).pw_uid

    with make_browser(request, tmp_path / "instructor") as browser:
        log_in(browser, instructor)
        browser.get(f"{instructor.server}/formgrader")
        wait_for(browser, lambda d: RELEASED in d.find_element(By.TAG_NAME, "body").text, "formgrader's assignments")
        rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table tbody tr")]
        assert any(row.startswith(RELEASED) for row in rows), rows
        browser.save_screenshot(str(SCREENSHOTS / "hub-instructor-formgrader.png"))


def log_in(browser, person) -> None:
    """The hub's login form, typed as a person would; waits for their JupyterLab."""
    from selenium.webdriver.common.by import By
    from test_browser import css, wait_for

    browser.get(f"{person.hub.url}/hub/login")
    wait_for(browser, css("#username_input"), "the login form")[0].send_keys(person.name)
    browser.find_element(By.CSS_SELECTOR, "#password_input").send_keys(person.password)
    browser.find_element(By.CSS_SELECTOR, "#login_submit").click()
    wait_for(browser, css(".lm-MenuBar-itemLabel"), "JupyterLab", seconds=240)


def open_menu(browser, label: str) -> None:
    from selenium.webdriver.common.by import By

    next(e for e in browser.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-itemLabel") if e.text == label).click()


def menu_items(browser) -> list[str]:
    from selenium.webdriver.common.by import By
    from test_browser import wait_for

    return wait_for(browser, lambda d: [e.text for e in d.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel")
                                        if e.is_displayed()], "the menu")
