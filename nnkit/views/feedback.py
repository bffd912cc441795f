"""The students' feedback pages: `nnkit feedback ASSIGNMENT` runs nbgrader's generate_feedback with
the course's config (its template, nnkit/templates/feedback, and its preprocessors), and their
formulas, rendered so that a page shows them with no network (nbgrader's loads MathJax from a CDN):
MathToMathML, in `HTMLExporter.preprocessors` (the feedback's and formgrader's views), turns every
markdown cell's LaTeX into MathML with latex2mathml, which every current browser draws itself.
"""
import re
from pathlib import Path

from latex2mathml.converter import convert
from nbconvert.preprocessors import Preprocessor

from nnkit import exits
from nnkit.gradebook.tools import run_nbgrader
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT

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


def main(argv=None) -> int:
    """nnkit feedback ASSIGNMENT [--course DIR]: every graded submission's feedback page, in feedback/."""
    parser = exits.command_parser("nnkit feedback", "The students' feedback pages of an assignment (nbgrader "
                                  "generate_feedback with the kit's template), in the course's feedback/ folder.",
                                  ok="written (nbgrader's log says for whom)",
                                  kit_failure="nbgrader failed: its output above says why")
    parser.add_argument("assignment", choices=ASSIGNMENTS, metavar="ASSIGNMENT",
                        help=f"one of {', '.join(ASSIGNMENTS)}")
    parser.add_argument("--course", type=Path, default=COURSE_ROOT, help="the course folder (default: this kit's)")
    args = parser.parse_args(argv)
    if run_nbgrader(["generate_feedback", args.assignment], args.course.resolve()) != exits.OK:
        raise exits.KitFailure(f"nbgrader generate_feedback {args.assignment} failed: see its output above")
    return exits.OK
