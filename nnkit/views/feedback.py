"""The feedback page's formulas, rendered when the page is generated, so that it shows them with no
network: nbgrader's feedback HTML loads MathJax from a CDN, and a student who opens it offline sees
raw `$$...$$`. MathToMathML, registered in `GenerateFeedback.preprocessors` (nbgrader_config.py),
turns the LaTeX of every markdown cell into MathML with latex2mathml; every current browser draws
MathML itself. The course's feedback template (nnkit/templates/feedback) loads no MathJax.
"""
import re

from latex2mathml.converter import convert
from nbconvert.preprocessors import Preprocessor

# $$display$$ or $inline$ outside `code`; an escaped \$ is not a delimiter.
CODE = re.compile(r"(`+)(?:.|\n)*?\1")
MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<![\\$])\$(?!\$)([^$\n]+?)(?<!\\)\$", re.S)


def to_mathml(latex: str, display: bool) -> str:
    try:
        return convert(latex.strip(), display="block" if display else "inline")
    except Exception:  # latex2mathml does not know every macro: keep the source visible, as code
        return f"<code>{latex.strip()}</code>"


def render_math(markdown: str) -> str:
    """The markdown with each formula replaced by MathML (code spans left alone)."""
    pieces, last = [], 0
    for code in CODE.finditer(markdown):
        pieces.append(MATH.sub(formula, markdown[last:code.start()]))
        pieces.append(code.group(0))
        last = code.end()
    pieces.append(MATH.sub(formula, markdown[last:]))
    return "".join(pieces)


def formula(match: re.Match) -> str:
    display, inline = match.groups()
    return f"\n\n{to_mathml(display, True)}\n\n" if display is not None else to_mathml(inline, False)


class MathToMathML(Preprocessor):
    enabled = True

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = render_math(cell.source)
        return cell, resources
