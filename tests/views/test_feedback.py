"""The feedback page's formulas as MathML (nnkit.views.feedback): display and inline LaTeX in markdown
converted, code spans and escaped dollars left alone, LaTeX it cannot read kept visible as code."""
from nbformat.v4 import new_code_cell, new_markdown_cell

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
