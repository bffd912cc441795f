"""The course's JupyterHub (deploy/jupyterhub/), started as root on loopback with throwaway Unix
users (one grader, two students) whose passwords chpasswd sets: each logs in with their password
(PAM), their server runs as their own uid, each role sees its own tools, over HTTP and in
Chromium; the instructor generates and releases `activations` with clicks in formgrader and a
student fetches it from the Assignments panel.

The servers' environment is the deployment's (deploy/jupyterhub/environment.py), with the release
folders whose requirements this machine can install: backprop's CPU-only torch comes from
download.pytorch.org, which test machines cannot reach (as in tests/course/test_install.py)."""
import json
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
def servers_python() -> Path:
    """The python of the servers' environment (made once per requirements, then cached)."""
    python = users.shared_environment("hub-servers", environment.server_requirements(INSTALLABLE))
    environment.configure(python.parent.parent)
    return python


@pytest.fixture(scope="module")
def deployment(servers_python):
    """{role: Person} on a running hub: "instructor" (a grader, with a copy of the course in their
    home), "student1", "student2"."""
    from hub import HUB, Person, running_hub

    if users.can_make_users():
        unusable(users.can_make_users())
    require("node-configurable-http-proxy")
    if not HUB.is_file():
        unusable(f"{HUB} is not installed: the hub extra (make .venv/.installed-hub; make test installs it)")
    python = servers_python
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
    SCREENSHOTS.mkdir(exist_ok=True)
    with make_browser(request, tmp_path / "instructor") as browser:
        log_in(browser, instructor)
        open_formgrader(browser, instructor)
        wait_for(browser, lambda d: assignment_status(d) == "draft", "the draft status")
        browser.save_screenshot(str(SCREENSHOTS / "hub-formgrader-before-release.png"))
        formgrader_step(browser, "assign", "hub-formgrader-generated.png")
        formgrader_step(browser, "release", "hub-formgrader-released.png")
        wait_for(browser, lambda d: assignment_status(d) == "released", "the released status")
        browser.save_screenshot(str(SCREENSHOTS / "hub-formgrader-after-release.png"))
    outbound = instructor.hub.exchange / COURSE_ID / "outbound" / RELEASED
    assert (outbound / f"{RELEASED}.ipynb").is_file()
    listed = deployment["student2"].api("GET", "/assignments", params={"course_id": COURSE_ID}).json()
    assert [a["assignment_id"] for a in listed["value"]] == [RELEASED], listed

    with make_browser(request, tmp_path / "student") as browser:
        log_in(browser, student)
        open_menu(browser, "Nbgrader")
        items = menu_items(browser)
        assert "Assignment List" in items and not {"Formgrader", "Course List"} & set(items), items
        next(e for e in browser.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel")
             if e.text == "Assignment List").click()
        row = wait_for(browser, lambda d: [r for r in d.find_elements(By.CSS_SELECTOR,
                                                                      "#released_assignments_list .list_item")
                                           if RELEASED in r.text], "the released assignment")[0]
        browser.save_screenshot(str(SCREENSHOTS / "hub-student-assignments.png"))
        row.find_element(By.TAG_NAME, "button").click()
        wait_for(browser, lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "#fetched_assignments_list .list_item")
                                     if RELEASED in r.text], "the fetched assignment")
        browser.save_screenshot(str(SCREENSHOTS / "hub-student-fetched.png"))
    fetched = Path(pwd.getpwnam(student.name).pw_dir) / RELEASED / f"{RELEASED}.ipynb"
    assert fetched.is_file() and fetched.stat().st_uid == pwd.getpwnam(student.name).pw_uid


def open_formgrader(browser, instructor) -> None:
    """Formgrader's manage-assignments page, in its own tab (nbgrader#1870: not framed in the Lab)."""
    from test_browser import wait_for

    browser.get(f"{instructor.server}/formgrader/manage_assignments")
    wait_for(browser, lambda d: assignment_row(d), "formgrader's assignments")


def assignment_row(browser):
    """The released assignment's row of formgrader's manage-assignments table (None while it redraws)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By

    for row in browser.find_elements(By.CSS_SELECTOR, "#main-table tr"):
        try:
            if row.find_element(By.CSS_SELECTOR, "td.name").text == RELEASED:
                return row
        except (NoSuchElementException, StaleElementReferenceException):
            continue
    return None


def assignment_cell(browser, column: str):
    """The row's cell in `column` (its <td> class), or None while the table redraws."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        return assignment_row(browser).find_element(By.CSS_SELECTOR, f"td.{column}")
    except (AttributeError, NoSuchElementException, StaleElementReferenceException):
        return None


def assignment_status(browser) -> str:
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        return getattr(assignment_cell(browser, "status"), "text", "")
    except StaleElementReferenceException:
        return ""


def formgrader_step(browser, column: str, screenshot: str) -> str:
    """Click the assignment's button in formgrader's `column` (assign, release, collect,
    generate-feedback, release-feedback) as the instructor would, wait for formgrader's answer,
    keep a screenshot of it, close it; return its text (the log of nbgrader's step)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By

    from test_browser import SCREENSHOTS, wait_for

    def button(driver):
        try:
            return [assignment_cell(driver, column).find_element(By.TAG_NAME, "a")]
        except (AttributeError, NoSuchElementException, StaleElementReferenceException):
            return []

    wait_for(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, ".modal-backdrop"), "no dialog over the page")
    wait_for(browser, button, f"formgrader's {column} button")[0].click()
    dialog = wait_for(browser, lambda d: [m for m in d.find_elements(By.CSS_SELECTOR, "#success-modal, #error-modal")
                                          if m.is_displayed()], f"formgrader's answer to {column}", seconds=600)[0]
    wait_for(browser, lambda d: d.execute_script("return getComputedStyle(arguments[0]).opacity", dialog) == "1",
             "the answer to fade in")
    text = dialog.text
    browser.save_screenshot(str(SCREENSHOTS / screenshot))
    assert dialog.get_attribute("id") == "success-modal", text[-3000:]
    dialog.find_element(By.CSS_SELECTOR, ".modal-footer .btn-primary").click()
    wait_for(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, "#success-modal, .modal-backdrop"),
             "the dialog to close")
    return text


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


# --- issue 36: a class through the hub, and what a student cannot do -------------------------------------

CLASS = {"student1": "correct", "student2": "seed"}  # demo students (nnkit.authoring.democlass): right, partly wrong
PROBE = '''import json, os, subprocess, urllib.request
found = {{}}
def attempt(name, action):
    try:
        value = action()
        found[name] = "GOT " + repr(value)[:80]
    except Exception as error:
        found[name] = "denied: " + type(error).__name__
attempt("list the inbound folder", lambda: os.listdir({inbound!r}))
attempt("guess another's submission in inbound", lambda: open({guess!r}).read())
attempt("read another's notebook in their home", lambda: open({other_home!r}).read())
attempt("read another's submission in the course", lambda: open({submitted!r}).read())
attempt("read the instructor's source/", lambda: open({source!r}).read())
attempt("read the gradebook", lambda: open({gradebook!r}, "rb").read())
attempt("read the answer key", lambda: open({key!r}).read())
attempt("reach formgrader", lambda: urllib.request.urlopen(urllib.request.Request({formgrader!r},
        headers={{"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]}}), timeout=60).status)
told = subprocess.run(["nbgrader", "submit", "activations", "--student={other}"], capture_output=True, text=True,
                      cwd=os.path.expanduser("~"))
said = (told.stdout + told.stderr).strip()[-160:]
found["nbgrader submit --student=<classmate>"] = "exit {{}}: {{}}".format(told.returncode, said)
def forge():  # nbgrader's own layout, written by hand: <student>+<assignment>+<timestamp>+<random>
    import datetime, shutil
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    folder = os.path.join({inbound!r}, "{other}+activations+" + stamp + "+forged")
    os.makedirs(folder)
    shutil.copy(os.path.expanduser("~/activations/activations.ipynb"), folder)
    with open(os.path.join(folder, "timestamp.txt"), "w") as f:
        f.write(stamp)
    return "written"
attempt("write a submission named after a classmate", forge)
print("PROBE " + json.dumps(found))
'''


def notebook_api_path(assignment: str = RELEASED) -> str:
    return f"/api/contents/{assignment}/{assignment}.ipynb"


def unix_user(name: str) -> users.User:
    entry = pwd.getpwnam(name)
    return users.User(name, entry.pw_uid, entry.pw_gid, Path(entry.pw_dir))


def test_a_class_through_the_hub_and_what_a_student_cannot_do(deployment, servers_python, request, tmp_path):
    """After the release above: each student fetches, writes their answer, validates and submits in
    JupyterLab; the second also runs a notebook that tries to reach what is not theirs (nbgrader's
    exchange, the course folder, a classmate's work, formgrader) and to submit as the first. The
    instructor collects in formgrader, grades the class with the kit's batch as their own user in
    the sandbox, generates and releases every submission's feedback in formgrader (clicks); each
    student fetches theirs (the second from the Assignments panel) and sees their score."""
    import nbformat
    from selenium.webdriver.common.by import By

    from nnkit.authoring.democlass import DEMO_STUDENTS, demo_notebook, demo_score
    from nnkit.collect.notebooks import total_points
    from nnkit.gradebook.states import class_submissions
    from test_browser import SCREENSHOTS, make_browser, submission_id, wait_for

    require("bubblewrap")
    instructor = deployment["instructor"]
    grader = unix_user(instructor.name)
    course = grader.home / "course"
    students = {deployment[role].name: (deployment[role], kind) for role, kind in CLASS.items()}
    fetched = deployment["student2"].api("POST", "/assignments/fetch",
                                         data={"course_id": COURSE_ID, "assignment_id": RELEASED})
    assert fetched.status_code == 200, fetched.text[-500:]
    first = deployment["student1"]
    probe = PROBE.format(inbound=str(instructor.hub.exchange / COURSE_ID / "inbound"),
                         guess=str(instructor.hub.exchange / COURSE_ID / "inbound" / f"{first.name}+{RELEASED}"),
                         other_home=str(unix_user(first.name).home / RELEASED / f"{RELEASED}.ipynb"),
                         submitted=str(course / "submitted" / first.name / RELEASED / f"{RELEASED}.ipynb"),
                         source=str(course / "source" / RELEASED / f"{RELEASED}.ipynb"),
                         gradebook=str(course / "gradebook.db"),
                         key=str(course / "assignments" / RELEASED / "key" / "solution.py"),
                         formgrader=f"{instructor.server}/formgrader/api/status", other=first.name)
    for person, kind in students.values():
        answer = json.loads(nbformat.writes(demo_notebook(kind, RELEASED)))
        saved = person.api("PUT", notebook_api_path(), json={"type": "notebook", "format": "json", "content": answer})
        assert saved.status_code in (200, 201), saved.text[-300:]
    probe_notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(probe)])
    probe_notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    saved = deployment["student2"].api("PUT", "/api/contents/probe.ipynb", json={
        "type": "notebook", "format": "json", "content": json.loads(nbformat.writes(probe_notebook))})
    assert saved.status_code in (200, 201), saved.text[-300:]

    SCREENSHOTS.mkdir(exist_ok=True)
    probed = {}
    for role in CLASS:
        person = deployment[role]
        with make_browser(request, tmp_path / role) as browser:
            log_in(browser, person)
            browser.get(f"{person.server}/lab/tree/{RELEASED}/{RELEASED}.ipynb")
            wait_for(browser, css_(".jp-NotebookPanel .validate-button"), "the notebook's Validate button", seconds=240)
            browser.find_element(By.CSS_SELECTOR, ".jp-NotebookPanel-toolbar .validate-button").click()
            dialog = wait_for(browser, css_(".jp-Dialog .validation-success, .jp-Dialog .validation-failed"),
                              "the validation", seconds=300)[0]
            if CLASS[role] == "correct":
                assert "Success! Your notebook passes all the tests." in dialog.text, dialog.text
            browser.find_element(By.CSS_SELECTOR, ".jp-Dialog .jp-mod-accept").click()
            if role == "student2":
                probed = run_probe(browser, person)
            open_assignments(browser)
            wait_for(browser, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "#fetched_assignments_list button")
                                         if b.text == "Submit"], "the Submit button")[0].click()
            wait_for(browser, lambda d: [r for r in d.find_elements(By.CSS_SELECTOR,
                                                                    "#submitted_assignments_list .list_item")
                                         if RELEASED in r.text], "the submission", seconds=240)
            browser.save_screenshot(str(SCREENSHOTS / f"hub-{role}-submitted.png"))
    print("\nwhat a student's notebook got:", json.dumps(probed, indent=1))
    assert probed.pop("nbgrader submit --student=<classmate>").startswith("exit 1"), probed  # JupyterHubAuthPlugin
    # The exchange lets anyone write in inbound (nbgrader's layout): refused at collect, below.
    assert probed.pop("write a submission named after a classmate") == "GOT 'written'", probed
    assert all(value.startswith("denied") for value in probed.values()), probed

    refused = f"names {first.name} but belongs to {deployment['student2'].name}"
    with make_browser(request, tmp_path / "grader") as browser:
        log_in(browser, instructor)
        open_formgrader(browser, instructor)
        collected = formgrader_step(browser, "collect", "hub-formgrader-collected.png")
        assert refused in collected, collected[-2000:]
        started = time.monotonic()
        graded = users.run_as(grader, [str(course / "deploy" / "jupyterhub" / "grade"), "--assignment", RELEASED],
                              env=users.user_environment(grader, servers_python), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        output = graded.communicate(timeout=1800)[0]
        print(f"\nthe class graded from the hub in {time.monotonic() - started:.0f} s:\n{output}")
        assert graded.returncode == 0, output
        # The course's own demo class is graded too; the first student's score is their own answer's,
        # not the classmate's forged one (SafeCollect.refuse_foreign).
        scores = {e.student: e.score for e in class_submissions(course, [RELEASED]) if e.student in students}
        assert scores == {name: demo_score(kind, RELEASED) for name, (_, kind) in students.items()}, scores
        open_formgrader(browser, instructor)  # the graded submissions, counted
        formgrader_step(browser, "generate-feedback", "hub-formgrader-feedback-generated.png")
        # every submission's, the demo class's too (nbgrader reads the timestamp its collect leaves)
        formgrader_step(browser, "release-feedback", "hub-formgrader-feedback-released.png")
        pages = list((instructor.hub.exchange / COURSE_ID / "feedback").glob("*.html"))
        assert len(pages) == len(students) + len(DEMO_STUDENTS), pages
        browser.get(f"{instructor.server}/formgrader/manage_students")
        wait_for(browser, lambda d: first.name in d.find_element(By.TAG_NAME, "body").text, "the students")
        browser.save_screenshot(str(SCREENSHOTS / "hub-formgrader-students.png"))
        browser.get(f"{instructor.server}/formgrader/submissions/{submission_id(course, deployment['student2'].name)}/")
        wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".full-credit"), "the submission view")
        browser.save_screenshot(str(SCREENSHOTS / "hub-formgrader-submission.png"))
        # its formulas drawn with no network (MathML: nbgrader's MathJax comes from a CDN)
        notebook = browser.find_element(By.CSS_SELECTOR, "#notebook")
        assert notebook.find_elements(By.TAG_NAME, "math") and "$$" not in notebook.text

    got = deployment["student1"].api("POST", "/assignments/fetch_feedback",
                                     data={"course_id": COURSE_ID, "assignment_id": RELEASED})
    assert got.status_code == 200, got.text[-500:]
    with make_browser(request, tmp_path / "feedback") as browser:  # the second, from the Assignments panel
        log_in(browser, deployment["student2"])
        open_assignments(browser)
        fetch = wait_for(browser, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR,
                                                                        "#submitted_assignments_list button")
                                             if b.text == "Fetch Feedback"], "the Fetch Feedback button")[0]
        browser.save_screenshot(str(SCREENSHOTS / "hub-student-before-feedback.png"))
        fetch.click()
        wait_for(browser, lambda d: "view feedback" in d.find_element(By.CSS_SELECTOR,
                                                                      "#submitted_assignments_list").text,
                 "the fetched feedback")
        browser.save_screenshot(str(SCREENSHOTS / "hub-student-feedback.png"))
        home = unix_user(deployment["student2"].name).home
        page = next((home / RELEASED / "feedback").rglob("*.html"))
        browser.get(f"{deployment['student2'].server}/files/{page.relative_to(home)}")
        wait_for(browser, lambda d: "Score" in d.find_element(By.TAG_NAME, "body").text, "the feedback page")
        browser.save_screenshot(str(SCREENSHOTS / "hub-feedback-page.png"))
    for name, (_, kind) in students.items():
        pages = sorted((unix_user(name).home / RELEASED / "feedback").rglob("*.html"))
        score = f"Score: {demo_score(kind, RELEASED):.1f} / {total_points(RELEASED):.1f}"
        assert len(pages) == 1 and score in pages[0].read_text(), (pages, score)


def css_(selector):
    from test_browser import css

    return css(selector)


def open_assignments(browser) -> None:
    from selenium.webdriver.common.by import By

    open_menu(browser, "Nbgrader")
    menu_items(browser)
    next(e for e in browser.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel") if e.text == "Assignment List").click()


def run_probe(browser, person) -> dict:
    """Open the probe notebook in the student's JupyterLab, run it, read what it printed."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By

    from test_browser import wait_for

    browser.get(f"{person.server}/lab/tree/probe.ipynb")
    wait_for(browser, css_(".jp-Notebook-ExecutionIndicator[data-status='idle']"), "the kernel", seconds=240)
    wait_for(browser, css_(".jp-Notebook .jp-Cell"), "the cell")

    def printed(driver):
        return [line for e in driver.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")
                for line in e.text.splitlines() if line.startswith("PROBE ")]

    for _ in range(3):  # Run > Run All Cells (a click on a menu not yet ready is lost now and then: again)
        open_menu(browser, "Run")
        menu_items(browser)
        next(e for e in browser.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel")
             if e.text == "Run All Cells").click()
        try:
            line = wait_for(browser, printed, "the probe's answer", seconds=100)[0]
            break
        except TimeoutException:
            continue
    else:
        raise AssertionError("the probe notebook never ran")
    return json.loads(line[len("PROBE "):])
