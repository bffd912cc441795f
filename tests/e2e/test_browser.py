"""The student's and the instructor's paths in a real browser: JupyterLab 4 in headless Chromium,
driven by Selenium (Debian's chromium and chromium-driver). One server per role, started where its
user would start it: the student's in a folder holding only the release folder handed out, the
instructor's in the course folder. A failing test leaves a screenshot in browser-screenshots/."""
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from batches import run_batch
from components import require
from nnkit.authoring.democlass import DEMO_STUDENTS, demo_score
from nnkit.collect.notebooks import fill, read, reference_code, total_points
from nnkit.gradebook.scratch import scratch_course
from nnkit.gradebook.tools import nbgrader
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT
from nnkit.testing import nbgrader_env

pytestmark = pytest.mark.slow  # JupyterLab and Chromium; the instructor's pages read graded courses

SCREENSHOTS = COURSE_ROOT / "browser-screenshots"
TOKEN = "nnkit-browser-test"
WAIT = 120


@contextmanager
def lab_server(folder: Path, home: Path, python: str = sys.executable, environment: dict | None = None):
    """`jupyter lab` started in `folder`, as its user would start it (with `python`, in `environment`:
    the course's by default); yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')  # no pop-up asking
    env = (nbgrader_env() if environment is None else environment) | {
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / ".jupyter" / "lab" / "user-settings"),
    }
    log = open(home / "server.log", "w")
    server = subprocess.Popen(
        [
            python,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            f"--ServerApp.port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={folder}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + WAIT
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError((home / "server.log").read_text()[-3000:]) from None
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # it waits for its kernels; nothing of theirs is kept
            server.kill()
            server.wait()
        log.close()


@contextmanager
def make_browser(request, tmp_path):
    """Headless Chromium; a screenshot of a failing test in browser-screenshots/."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = require("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1000", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(require("chromium-driver")), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        if getattr(request.node, "failed", False) or sys.exc_info()[0] is not None:
            SCREENSHOTS.mkdir(exist_ok=True)
            path = SCREENSHOTS / f"{request.node.name}.png"
            driver.save_screenshot(str(path))
            print(f"\nscreenshot: {path}")
        driver.quit()


@pytest.fixture
def browser(request, tmp_path):
    with make_browser(request, tmp_path) as driver:
        yield driver


def wait_for(driver, condition, what: str, seconds: float = WAIT):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=0.25).until(condition, message=f"waiting for {what}")


def css(selector):
    from selenium.webdriver.common.by import By

    return lambda driver: driver.find_elements(By.CSS_SELECTOR, selector) or False


def open_notebook(driver, url: str, path: str):
    driver.get(f"{url}/lab/tree/{path}?token={TOKEN}&reset")
    wait_for(driver, css(".jp-NotebookPanel .validate-button"), "the notebook and its Validate button")
    wait_for(driver, css(".jp-Notebook-ExecutionIndicator[data-status='idle']") , "the kernel to be idle")


def validate(driver) -> str:
    """Click Validate; return the text of nbgrader's dialog, then close it."""
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, ".jp-NotebookPanel-toolbar .validate-button").click()
    dialog = wait_for(driver, css(".jp-Dialog .validation-success, .jp-Dialog .validation-failed"),
                      "the validation results")[0]
    text = dialog.text
    driver.find_element(By.CSS_SELECTOR, ".jp-Dialog .jp-mod-accept").click()
    wait_for(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, ".jp-Dialog"), "the dialog to close")
    return text


def run_state(driver) -> str:
    """'ran': every code cell has an execution count; 'stopped': none is running and one shows an error
    (Run All stops there); '' otherwise."""
    from selenium.webdriver.common.by import By

    prompts = [p.text.strip() for p in driver.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-InputPrompt")]
    if prompts and all(p not in ("[ ]:", "[*]:", "") for p in prompts):
        return "ran"
    if "[*]:" not in prompts and driver.find_elements(
            By.CSS_SELECTOR, ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"):
        return "stopped"
    return ""


def restart_and_run_all(driver):
    """Kernel menu -> Restart Kernel and Run All Cells..., then Restart in its dialog, until every code
    cell has run. A click lost on a menu or dialog not yet ready is made again (twice at most); a cell
    that fails stops the wait at once. On a timeout the message lists the prompts and any dialog."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By

    def restart_dialogs(d):
        return [e for e in d.find_elements(By.CSS_SELECTOR, ".jp-Dialog") if "Restart" in e.text]

    for _ in range(3):
        try:
            if not restart_dialogs(driver):  # else the last click on Restart was lost: click it again
                next(e for e in driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-itemLabel")
                     if e.text == "Kernel").click()
                wait_for(driver, lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel")
                                            if e.text.startswith("Restart Kernel and Run All")],
                         "the menu item")[0].click()
            wait_for(driver, restart_dialogs, "the restart dialog", 30)[0].find_element(
                By.CSS_SELECTOR, ".jp-mod-accept").click()
            wait_for(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, ".jp-Dialog"), "the dialog to close", 20)
            wait_for(driver, run_state, "every cell to run", seconds=150)
            return  # ran, or stopped at an error: the caller's check of the outputs names it
        except TimeoutException as timeout:
            print(f"Restart and Run All, again: {timeout.msg}")
    prompts = [p.text for p in driver.find_elements(By.CSS_SELECTOR, ".jp-CodeCell .jp-InputPrompt")]
    dialogs = [d.text for d in driver.find_elements(By.CSS_SELECTOR, ".jp-Dialog")]
    raise AssertionError(f"Restart and Run All did not run every cell: prompts {prompts}, dialogs {dialogs}")


def test_a_student_validates_blank_then_finished_work(browser, tmp_path):
    """A release folder handed out alone: Validate fails on the blank notebook and names the failing
    checks; with the answers filled in, Restart and Run All passes every check; Validate succeeds."""
    from selenium.webdriver.common.by import By

    work = tmp_path / "student"
    shutil.copytree(COURSE_ROOT / "release" / "activations", work / "activations")
    with lab_server(work, tmp_path / "student-home") as url:
        open_notebook(browser, url, "activations/activations.ipynb")
        failed = validate(browser)
        assert "The following cell failed" in failed and "# Check your sigmoid" in failed, failed
        notebook = fill(read(work / "activations" / "activations.ipynb"), reference_code("activations"))
        browser.get("about:blank")
        nbformat.write(notebook, str(work / "activations" / "activations.ipynb"))
        open_notebook(browser, url, "activations/activations.ipynb")
        restart_and_run_all(browser)
        outputs = "\n".join(o.text for o in browser.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output"))
        assert outputs.count("visible checks passed") == 3 and "Error" not in outputs, outputs
        assert "Success! Your notebook passes all the tests." in validate(browser)
        SCREENSHOTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "student-validated.png"))


def test_the_instructor_sees_the_assignments_and_the_demo_scores_in_the_formgrader(browser, demo_class, tmp_path):
    from selenium.webdriver.common.by import By

    graded_course, _ = demo_class
    with lab_server(graded_course, tmp_path / "instructor-home") as url:
        browser.get(f"{url}/formgrader?token={TOKEN}")
        wait_for(browser, lambda d: "backprop" in d.find_element(By.TAG_NAME, "body").text, "the assignments")
        page = browser.find_element(By.TAG_NAME, "body").text
        assert all(name in page for name in ASSIGNMENTS)
        assert "exchange directory does not exist" not in page.lower()
        browser.find_element(By.PARTIAL_LINK_TEXT, "Current configuration").click()
        wait_for(
            browser,
            lambda d: "nnkit.execution.execute.ResilientExecute" in d.find_element(By.TAG_NAME, "body").text,
            "the configuration, with the preprocessors by name",
        )
        browser.get(f"{url}/formgrader/manage_students?token={TOKEN}")
        wait_for(browser, lambda d: "seed" in d.find_element(By.TAG_NAME, "body").text, "the students")
        rows = {cells[1].text: row.text for row in browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
                if len(cells := row.find_elements(By.TAG_NAME, "td")) > 2}  # name, student id, email, score
        course_total = sum(total_points(a) for a in ASSIGNMENTS)
        for student in DEMO_STUDENTS:
            total = sum(demo_score(student, a) for a in ASSIGNMENTS)
            assert f"{total:g} / {course_total:g}" in rows[student], rows
        SCREENSHOTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "formgrader-students.png"))


def test_a_feedback_page_renders_its_formulas_offline(browser, demo_feedback):
    from selenium.webdriver.common.by import By

    page = demo_feedback / "feedback" / "seed" / "activations" / "activations.html"
    browser.get(page.as_uri())
    wait_for(browser, css("math"), "the formulas")
    sizes = browser.execute_script(
        "return [...document.querySelectorAll('math')].map(m => m.getBoundingClientRect().height)"
    )
    assert len(sizes) >= 3 and min(sizes) > 10, sizes  # drawn, not raw text
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "$$" not in text and "\\frac" not in text
    assert "test_sigmoid_extremes" in text and "Test cell" not in text  # the summary names each test
    SCREENSHOTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "feedback.png"))



# A laptop's and a phone's viewport (CSS pixels): the feedback page is read on both.
DEVICES = {"laptop": (1366, 900), "phone": (390, 844)}
DTYPE_HINT = "float64 usually comes from a buffer made with"


def rgb(css_colour: str) -> list[int]:
    """The red, green and blue of a computed colour, rgb(...) or rgba(...)."""
    return [int(float(part)) for part in re.findall(r"[\d.]+", css_colour)[:3]]


def luminance(css_colour: str) -> float:
    """WCAG 2's relative luminance of a computed colour, rgb(...) or rgba(...)."""
    red, green, blue = (c / 255 for c in rgb(css_colour))
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("device", DEVICES)
def test_a_student_reads_the_feedback_at_a_glance(browser, demo_feedback, device):
    """The seed's convolution feedback (two float32 tests failed): what to fix first at the top,
    each hidden test ✓ Passed on green or ✗ Failed on red (words and colour, WCAG AA contrast), and
    the dtype hint wrapped inside the screen, at a laptop's width and a phone's."""
    from selenium.webdriver.common.by import By

    page = demo_feedback / "feedback" / "seed" / "convolution" / "convolution.html"
    browser.set_window_size(*DEVICES[device])
    browser.get(page.as_uri())
    summary = wait_for(browser, css("#fix-first"), "what to fix first")[0]
    first_cell = browser.find_element(By.CSS_SELECTOR, "#notebook .cell")
    assert summary.location["y"] < first_cell.location["y"]
    assert summary.text.startswith("✗ What to fix first: 2 hidden tests failed"), summary.text
    items = summary.find_elements(By.TAG_NAME, "li")
    assert [i.text.split(" ")[0] for i in items] == ["test_max_pooling_float32", "test_conv_float32"], summary.text
    assert all("wrong dtype: expected float32 (the input's), got float64" in i.text for i in items), summary.text

    headings = {verdict: browser.find_elements(By.CSS_SELECTOR, f".nbgrader_cell.test-{verdict} > .panel-heading")
                for verdict in ("passed", "failed")}
    assert len(headings["failed"]) == 2 and len(headings["passed"]) == 8, {k: len(v) for k, v in headings.items()}
    colours = {}
    for verdict, elements in headings.items():
        for heading in elements:
            assert heading.text.startswith({"passed": "✓ Passed", "failed": "✗ Failed"}[verdict]), heading.text
            style = browser.execute_script(
                "const s = getComputedStyle(arguments[0]); return [s.color, s.backgroundColor]", heading
            )
            assert contrast(*style) >= 4.5, (verdict, style, contrast(*style))
            colours[verdict] = style[1]
    red, green = rgb(colours["failed"]), rgb(colours["passed"])
    assert red[0] > 2 * red[1] and green[1] > 2 * green[0], colours  # red and green

    hint = next(e for e in browser.find_elements(By.CSS_SELECTOR, ".output_error pre") if DTYPE_HINT in e.text)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", hint)
    box = browser.execute_script(
        "const e = arguments[0], r = e.getBoundingClientRect(); return {left: r.left, right: r.right, "
        "scroll: e.scrollWidth, client: e.clientWidth, width: window.innerWidth}", hint)
    assert box["scroll"] <= box["client"] + 1, box  # nothing of it hidden behind a sideways scroll
    assert 0 <= box["left"] and box["right"] <= box["width"], box  # inside the screen
    assert "without `dtype=x.dtype`, or from mixing in a float64 array" in hint.text
    wide = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], wide  # the page never scrolls sideways
    SCREENSHOTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"feedback-{device}-hint.png"))
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(SCREENSHOTS / f"feedback-{device}-summary.png"))

# --- what a student's notebook can do in the instructor's browser (issue 16) -------------------------------

PLOTS = ("%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([0, 1, 2], [0, 1, 4])\n"
         "plt.title('an honest plot')\nplt.show()")
RENAMED = "<img src=x onerror=document.documentElement.dataset.planted=1>.ipynb"  # a file name: no slash


class Planted:
    """A server on 127.0.0.1 that counts the requests the planted scripts would make."""

    def __init__(self):
        import http.server
        import threading

        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def planted_server():
    server = Planted()
    yield server
    server.server.shutdown()


@pytest.fixture
def planted(planted_server):
    """The server, with what earlier tests' pages sent forgotten."""
    planted_server.hits.clear()
    return planted_server


@pytest.fixture(scope="module")
def hostile_course(tmp_path_factory, planted_server):
    """A course graded by the batch: a student whose notebook plants scripts in its outputs, a
    markdown cell, a raw cell and a cell tag (tests/support/hostile.py: html_scripts), one whose output
    and headings go for the page's classes and ids (restyles_page); an honest student whose
    notebook draws a plot; a submission whose file name is markup. Feedback generated for both."""
    from hostile import CATALOGUE, Context

    root = scratch_course(tmp_path_factory.mktemp("pages") / "course")
    nbgrader("generate_assignment", "activations", root=root)
    release = read(root / "release" / "activations" / "activations.ipynb")
    context = Context(str(root), "", planted_server.port)
    made = {name: CATALOGUE[name].build(release, context) for name in ("html_scripts", "restyles_page")}
    made["plotter"] = fill(release, reference_code("activations"))
    made["plotter"].cells.insert(2, nbformat.v4.new_code_cell(PLOTS))
    for student, notebook in made.items():
        (root / "submitted" / student / "activations").mkdir(parents=True)
        nbformat.write(notebook, str(root / "submitted" / student / "activations" / "activations.ipynb"))
    (root / "submitted" / "renamer" / "activations").mkdir(parents=True)
    nbformat.write(made["plotter"], str(root / "submitted" / "renamer" / "activations" / RENAMED))
    run_batch(root, "--assignment", "activations", check=True)
    nbgrader("generate_feedback", "activations", "--force", root=root)
    return root


def nothing_planted_ran(driver, planted: Planted) -> None:
    time.sleep(2)  # an onerror or onload fires as the page settles
    assert driver.execute_script("return document.documentElement.dataset.planted") is None
    assert planted.hits == []


def images_drawn(driver) -> list[int]:
    return driver.execute_script("return [...document.querySelectorAll('.output_png img')].map(i => i.naturalWidth)")


def submission_id(root: Path, student: str) -> str:
    from nnkit.gradebook.db import open_gradebook

    with open_gradebook(root) as gradebook:
        return gradebook.find_submission_notebook("activations", "activations", student).id


def test_no_planted_script_runs_in_the_formgrader_and_an_honest_plot_still_shows(
    browser, hostile_course, planted, tmp_path
):
    from selenium.webdriver.common.by import By

    SCREENSHOTS.mkdir(exist_ok=True)
    with lab_server(hostile_course, tmp_path / "instructor-home") as url:
        browser.get(f"{url}/formgrader/submissions/{submission_id(hostile_course, 'html_scripts')}/?token={TOKEN}")
        # shown or not: a <style> may hide it
        wait_for(browser, lambda d: "Planted" in d.page_source, "the hostile notebook")
        nothing_planted_ran(browser, planted)
        assert browser.find_elements(By.CSS_SELECTOR, ".full-credit"), "the formgrader's own scripts and buttons work"
        browser.save_screenshot(str(SCREENSHOTS / "formgrader-hostile.png"))
        browser.get(f"{url}/formgrader/submissions/{submission_id(hostile_course, 'plotter')}/?token={TOKEN}")
        wait_for(browser, lambda d: images_drawn(d), "the plot")
        assert min(images_drawn(browser)) > 100
        browser.save_screenshot(str(SCREENSHOTS / "formgrader-plot.png"))


def test_no_planted_script_runs_in_the_feedback_which_keeps_its_plot_and_formulas(browser, hostile_course, planted):
    feedback = hostile_course / "feedback" / "{}" / "activations" / "activations.html"
    browser.get(Path(str(feedback).format("html_scripts")).as_uri())
    wait_for(browser, css("math"), "the page")
    nothing_planted_ran(browser, planted)
    SCREENSHOTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "feedback-hostile.png"))
    browser.get(Path(str(feedback).format("plotter")).as_uri())
    wait_for(browser, css("math"), "the formulas")
    sizes = browser.execute_script(
        "return [...document.querySelectorAll('math')].map(m => m.getBoundingClientRect().height)"
    )
    assert len(sizes) >= 3 and min(sizes) > 10, sizes
    assert min(images_drawn(browser)) > 100
    browser.save_screenshot(str(SCREENSHOTS / "feedback-plot.png"))
    browser.execute_script("document.querySelector('math').scrollIntoView()")
    browser.save_screenshot(str(SCREENSHOTS / "feedback-math.png"))


def test_the_report_shows_a_markup_file_name_as_text(browser, hostile_course, planted):
    from selenium.webdriver.common.by import By

    browser.get((hostile_course / "autograded" / "report.html").as_uri())
    wait_for(browser, lambda d: "renamer" in d.find_element(By.TAG_NAME, "body").text, "the review list")
    assert RENAMED in browser.find_element(By.TAG_NAME, "body").text
    nothing_planted_ran(browser, planted)
    SCREENSHOTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "report.png"))


SCORE_BOXES = """
return [...document.querySelectorAll('input.score')].map(box => {
    box.scrollIntoView({block: 'center'});
    const r = box.getBoundingClientRect(), top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return [box.id, box.getAttribute('placeholder'), top === box, top ? top.outerHTML.slice(0, 120) : null];
});"""
# The grades API, asked as the page's own Backbone.sync asks (backbone_xsrf.js)
GRADES_API = """const done = arguments[arguments.length - 1];
fetch(arguments[0], {headers: {'X-CSRFToken': getCookie('_xsrf'), 'Accept': 'application/json'}})
    .then(r => done([r.status, r.headers.get('content-type')]), e => done(String(e)));"""


def log_in(driver, url: str) -> None:
    """The Jupyter server's login form, with the token: a session cookie, as an instructor has (a
    token in the page's address alone does not reach the formgrader's API calls)."""
    from selenium.webdriver.common.by import By

    driver.get(f"{url}/login")
    field = wait_for(driver, css("input[name='password']"), "the login form")[0]
    field.send_keys(TOKEN)
    driver.find_element(By.CSS_SELECTOR, "form [type='submit']").click()
    wait_for(driver, lambda d: "/login" not in d.current_url, "the login")


def auto_scores(root: Path, student: str) -> dict[str, float]:
    from nnkit.gradebook.db import open_gradebook

    with open_gradebook(root) as gradebook:
        notebook = gradebook.find_submission_notebook("activations", "activations", student)
        return {grade.name: grade.auto_score for grade in notebook.grades}


def test_a_students_output_cannot_cover_or_capture_the_formgraders_score_boxes(browser, hostile_course, tmp_path):
    """restyles_page's output carries the formgrader's own `navbar navbar-fixed-top` classes, styled
    white over the page, and a heading with each grade cell's id (issue 31); an honest student is the
    control. The instructor is logged in, the grades API answers 200, and every score box shows the
    gradebook's score and is the element on top at its own centre."""
    SCREENSHOTS.mkdir(exist_ok=True)
    with lab_server(hostile_course, tmp_path / "instructor-home") as url:
        log_in(browser, url)
        for student in ("plotter", "restyles_page"):
            submission = submission_id(hostile_course, student)
            browser.get(f"{url}/formgrader/submissions/{submission}/")
            wait_for(browser, lambda d: d.execute_script("return window.formgrader && formgrader.grades.loaded"),
                     "the formgrader's grades")
            status = browser.execute_async_script(GRADES_API, f"{url}/formgrader/api/grades?submission_id={submission}")
            assert status[0] == 200, status  # and the page's own request was answered: its grades loaded (above)
            boxes = browser.execute_script(SCORE_BOXES)
            expected = auto_scores(hostile_course, student)
            assert len(boxes) == len(expected), (boxes, expected)
            shown = {name: float(placeholder) if placeholder not in (None, "") else None
                     for name, placeholder, _, _ in boxes}
            assert shown == expected, student
            assert [(name, top) for name, _, on_top, top in boxes if not on_top] == [], student
            browser.execute_script("window.scrollTo(0, 0)")
            browser.save_screenshot(str(SCREENSHOTS / f"formgrader-{student}.png"))
    assert sum(auto_scores(hostile_course, "restyles_page").values()) == 9


def test_a_students_ids_never_capture_the_feedbacks_own_links(browser, hostile_course):
    """The feedback links each test to `#<grade id>`: no element of the student's carries that id."""
    page = hostile_course / "feedback" / "restyles_page" / "activations" / "activations.html"
    browser.get(page.as_uri())
    wait_for(browser, css("#notebook"), "the page")
    targets = browser.execute_script(
        "return [...document.querySelectorAll('a[href^=\"#test_\"]')].map(a => a.getAttribute('href').slice(1))")
    assert targets
    captured = browser.execute_script("return arguments[0].filter(id => document.getElementById(id) !== null)", targets)
    assert captured == [] and "student-test_relu_mnist" in browser.page_source
    SCREENSHOTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "feedback-restyles.png"))
