"""The sanitizer of every page that shows a student's work (nnkit/views/sanitizer.py): it keeps what honest
notebooks show and drops everything that could act; the course's configuration applies it to the
formgrader's exporter and template as the formgrader builds them (tests/e2e/test_browser.py does the
same in a real browser)."""
import base64
import os
import re

import nbformat
import pytest
from nbconvert.exporters import HTMLExporter

from nnkit.execution.autograde import course_config
from nnkit.kernel.config import COURSE_ROOT
from nnkit.views import sanitizer as pages
from nnkit.views.feedback import to_mathml

PNG = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(16)).decode()
HONEST = [  # (html, what must be kept of it)
    (
        to_mathml(r"\sigma(x) = \frac{1}{1 + e^{-x}}", True),
        ['<math display="block">', "<mfrac>", "<msup>", "<mi>σ</mi>"],
    ),
    (f'<img src="{PNG}" alt="a plot" width="300">', [f'<img src="{PNG}" alt="a plot" width="300">']),
    (
        '<table border="1" class="dataframe"><thead><tr style="text-align: right;"><th>a</th></tr></thead>'
        '<tbody><tr><td>1</td></tr></tbody></table>',
        ['<table border="1" class="dataframe">', '<tr style="text-align:right">', "<th>a</th>", "<td>1</td>"],
    ),
    ('<h2 id="results">Results</h2>', [f'<h2 id="{pages.ID_PREFIX}results">Results</h2>']),
    (
        '<a href="https://numpy.org">NumPy</a> and <a href="#results">back</a>',
        ['href="https://numpy.org"', f'href="#{pages.ID_PREFIX}results"'],
    ),
    (
        '<div class="highlight"><pre><span class="kn">import</span> <span class="nn">numpy</span></pre></div>',
        ['<div class="highlight">', '<span class="kn">import</span>', '<span class="nn">numpy</span>'],
    ),
    ('<span class="ansi-red-fg ansi-bold">Error</span>', ['<span class="ansi-red-fg ansi-bold">Error</span>']),
]
HOSTILE = [
    '<img src=x onerror="alert(1)">',
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<style>body { display: none }</style>",
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<details open ontoggle="alert(1)">x</details>',
    '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></math>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<img src="data:text/html;base64,PHNjcmlwdD4=">',
    '<a href="evil.html">a file of the submission</a>',
    '<div style="background: url(javascript:alert(1)); position: fixed">x</div>',
    "<base href='https://evil.example/'>",
    '<meta http-equiv="refresh" content="0; url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
]
ACTS = re.compile(
    r"<\s*(script|iframe|object|embed|form|style|svg|base|meta|link|annotation-xml)\b|\bon\w+\s*=|javascript:"
    r"|href=\"(?!https?:|#)|src=\"data:(?!image/)|url\(|position",
    re.I,
)


@pytest.mark.parametrize("html, kept", HONEST)
def test_the_allowlist_keeps_what_honest_notebooks_show(html, kept):
    cleaned = pages.clean(html)
    assert all(part in cleaned for part in kept), cleaned


@pytest.mark.parametrize("html", HOSTILE)
def test_it_drops_everything_that_could_act(html):
    kept = pages.clean(html)
    assert not ACTS.search(kept), kept


def test_no_class_or_id_of_the_page_survives():
    """The formgrader's Bootstrap classes would place a student's div over the page, and a heading
    whose id is a grade cell's would capture the formgrader's `#<grade id>` binding (issue 31)."""
    cleaned = pages.clean(
        '<div class="navbar navbar-fixed-top modal in kn" style="background-color: white">12 / 12</div>'
        '<h3 id="test_relu_mnist">x</h3><a name="test_relu_mnist">y</a><a href="#test_relu_mnist">z</a>'
        '<span class="navbar">w</span>')
    assert 'class="kn"' in cleaned and "navbar" not in cleaned and "modal" not in cleaned and ' in"' not in cleaned
    assert 'id="test_relu_mnist"' not in cleaned and 'name="test_relu_mnist"' not in cleaned
    assert cleaned.count(f"{pages.ID_PREFIX}test_relu_mnist") == 3 and "<span>w</span>" in cleaned, cleaned


def test_a_students_markdown_heading_and_its_anchor_link_still_meet():
    """nbconvert gives each markdown heading an id and an anchor link to it: both prefixed, the link works."""
    exporter = HTMLExporter(config=course_config(COURSE_ROOT))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## test_relu_mnist")])
    page, _ = exporter.from_notebook_node(notebook)
    assert 'id="test_relu_mnist"' not in page and f'id="{pages.ID_PREFIX}test_relu_mnist"' in page, page[-3000:]
    assert f'href="#{pages.ID_PREFIX}test_relu_mnist"' in page


def planted_notebook():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A heading\n<img src=x onerror=alert(1)> " + HONEST[0][0]),
        nbformat.v4.new_raw_cell("<script>alert(1)</script>"),
        nbformat.v4.new_code_cell("display(...)", outputs=[
            nbformat.v4.new_output("display_data", {"text/html": '<img src=x onerror="alert(1)">', "text/plain": "x"}),
            nbformat.v4.new_output("display_data", {"application/javascript": "alert(1)", "text/plain": "x"}),
            nbformat.v4.new_output("display_data", {"text/markdown": "<script>alert(1)</script>", "text/plain": "x"}),
            nbformat.v4.new_output("display_data", {"image/png": PNG.split(",")[1], "text/plain": "a plot"})]),
    ])
    return notebook


def test_the_formgraders_exporter_from_the_course_config_runs_no_student_script():
    """As nbgrader's FormgradeExtension builds it: HTMLExporter(config=...) with its 'formgrade'
    template, from the course's nbgrader_config.py."""
    from formgrader_pages import formgrader_page

    body = formgrader_page(planted_notebook())
    assert "alert(1)" not in body and "<math" in body and "A heading" in body and PNG.split(",")[1] in body


def test_the_kit_pages_forbid_every_script():
    assert "default-src 'none'" in pages.CONTENT_SECURITY_POLICY and "script-src" not in pages.CONTENT_SECURITY_POLICY
    template = (COURSE_ROOT / "nnkit" / "templates" / "feedback" / "index.html.j2").read_text()
    assert '{{ "" | csp_meta }}' in template and os.path.exists(pages.__file__)
