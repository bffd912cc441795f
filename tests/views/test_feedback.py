"""The feedback page's formulas as MathML (nnkit.views.feedback): display and inline LaTeX in markdown
converted, code spans and escaped dollars left alone, LaTeX it cannot read kept visible as code; the
formgrader's views and the feedback, built from the course's config, draw a notebook's formulas so."""
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from nnkit.collect.notebooks import notebook_path, read
from nnkit.collect.paths import course_config
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT
from nnkit.views.feedback import MathToMathML, render_math, to_mathml


def test_display_and_inline_formulas_become_mathml():
    rendered = render_math(r"The sigmoid $\sigma(x)$ is $$\frac{1}{1 + e^{-x}}$$ done.")
    assert rendered.startswith("The sigmoid <math ") and 'display="inline"' in rendered.split("</math>")[0]
    assert "$" not in rendered and 'display="block"' in rendered.split("</math>")[1] and "<mfrac>" in rendered
    assert rendered.endswith("\n\n done.")


def test_code_spans_and_escaped_dollars_are_not_formulas():
    text = r"Run `echo $HOME $x$` for \$5 and \$6."
    assert render_math(text) == text


def test_latex_that_latex2mathml_cannot_read_is_shown_as_code():
    assert to_mathml(r" \begin{foo}x ", False) == r"<code>\begin{foo}x</code>"
    assert render_math(r"see $\frac{1}{$ here") == r"see <code>\frac{1}{</code> here"


def test_only_markdown_cells_are_rendered():
    markdown, code = new_markdown_cell("$x$"), new_code_cell("y = '$x$'")
    for index, cell in enumerate((markdown, code)):
        MathToMathML().preprocess_cell(cell, {}, index)
    assert markdown.source.startswith("<math") and code.source == "y = '$x$'"



def release_formulas():
    notebook = read(notebook_path("release", ASSIGNMENTS[0]))
    assert "$$" in "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    return notebook


def test_the_formgraders_views_from_the_course_config_draw_formulas_offline():
    """As formgrader builds its exporter (HTMLExporter(config=...), its 'formgrade' template): a
    release notebook's $$...$$ become MathML, not text left for a MathJax from a CDN that a machine
    with no internet cannot load."""
    from formgrader_pages import formgrader_page

    body = formgrader_page(release_formulas())
    assert "$$" not in body and "<math" in body and 'display="block"' in body, body[:2000]


@pytest.mark.slow  # builds nbgrader's GenerateFeedback (the suite's rule), though it grades nothing
def test_the_feedbacks_exporter_from_the_course_config_draws_formulas_offline():
    """generate_feedback's exporter, as its converter builds it from the course's config."""
    import copy

    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    converter = GenerateFeedback(coursedir=CourseDirectory(root=str(COURSE_ROOT)), config=course_config(COURSE_ROOT))
    exporter = converter.exporter_class(parent=converter, config=converter.config)
    mathml = [p for p in exporter._preprocessors if isinstance(p, MathToMathML) and p.enabled]
    assert len(mathml) == 1, exporter._preprocessors
    notebook, _ = mathml[0].preprocess(copy.deepcopy(release_formulas()), {})
    markdown = "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "$$" not in markdown and "<math" in markdown and 'display="block"' in markdown
