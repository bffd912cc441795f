"""The instructor's one-page grading report, autograded/report.html (`nnkit report`; grading writes it).

Per assignment: the score histogram and each hidden-test cell's failure rate with what it feeds
the function, so the concept the class got wrong stands out. Submissions not gradable, or with
something to look at (nnkit.gradebook.states), are listed for review with their reasons, read as
data. It shows no student output, each text escaped (nnkit.collect.escape); its
Content-Security-Policy forbids scripts.
"""
import base64
import html
import io
import statistics
from pathlib import Path

from nnkit import exits
from nnkit.collect import paths
from nnkit.collect.escape import escaped
from nnkit.gradebook.db import open_gradebook
from nnkit.gradebook.points import points_of
from nnkit.gradebook.states import REVIEW_HEADINGS, State, class_submissions, to_review
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT
from nnkit.kernel.course_cases import CASES
from nnkit.kernel.i18n import _
from nnkit.views.sanitizer import csp_meta

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; } td, th { padding: .3em .6em; text-align: left; }
tr:nth-child(even) { background: #f5f5f5; } .num { text-align: right; white-space: nowrap; }
.bar { background: #d9534f; height: .9em; display: inline-block; vertical-align: middle; }
.review { background: #fff3cd; padding: .6em 1em; border-left: 4px solid #f0ad4e; }
"""


def histogram(scores: list[float], max_score: float) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 2.6), dpi=100)
    axes.hist(scores, bins=[x - 0.5 for x in range(int(max_score) + 2)], color="#337ab7", edgecolor="white")
    axes.set_xlabel("score")
    axes.set_ylabel("students")
    axes.set_xlim(-0.5, max_score + 0.5)
    axes.yaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def section(name: str, graded: list, points: dict[str, float]) -> str:
    max_score = sum(points.values())
    scores = [e.score for e in graded]
    parts = [f"<h2>{html.escape(name)}</h2>"]
    if not scores:
        return parts[0] + "<p>No graded submissions.</p>"
    parts.append(f"<p>{len(scores)} graded submissions; mean {statistics.mean(scores):.1f}, "
                 f"median {statistics.median(scores):g}, of {max_score:g} points.</p>")
    parts.append(f'<img alt="score distribution of {html.escape(name)}" '
                 f'src="data:image/png;base64,{histogram(scores, max_score)}">')
    parts.append("<table><tr><th>hidden test</th><th>function: input</th><th class=num>points</th>"
                 "<th class=num>failed by</th><th></th></tr>")
    for cell, most in points.items():
        case = CASES.get(cell.removeprefix("test_"))
        what = f"{case.function}: {_(case.what)}" if case else cell
        failed = sum(1 for e in graded if (e.cells.get(cell) or 0) < most)
        rate = failed / len(graded)
        parts.append(f"<tr><td>{html.escape(cell)}</td><td>{html.escape(what)}</td><td class=num>{most:g}</td>"
                     f"<td class=num>{failed}/{len(graded)} ({rate:.0%})</td>"
                     f'<td><span class="bar" style="width:{100 * rate:.0f}px"></span></td></tr>')
    parts.append("</table>")
    return "\n".join(parts)


def shown(text: str) -> str:
    """Text a student controls, as the page shows it: control characters and undecodable bytes as
    escapes, then HTML-escaped."""
    return html.escape(escaped(text))


def review_list(state: State, chosen: list) -> str:
    items = "".join(f"<li><b>{shown(e.student)}</b> / {shown(e.assignment)}<ul>"
                    + "".join(f"<li>{shown(reason)}</li>" for reason in e.reasons) + "</ul></li>" for e in chosen)
    heading = html.escape(REVIEW_HEADINGS[state])
    return f'<div class="review"><b>To review</b>: {len(chosen)} {heading}<ul>{items}</ul></div>'


def build(root: Path = COURSE_ROOT, assignments: list[str] = ASSIGNMENTS, entries: list | None = None) -> str:
    """The page (`entries`: nnkit.gradebook.states' Submissions of these assignments, when the caller
    has them already)."""
    if entries is None:
        entries = class_submissions(root, list(assignments))
    with open_gradebook(root) as gradebook:
        known = {a.name for a in gradebook.assignments}
        sections = [
            section(
                name,
                [e for e in entries if e.assignment == name and e.state in (State.GRADED, State.REVIEW)],
                points_of(gradebook, name),
            )
            for name in assignments
            if name in known
        ]
    review = "".join(review_list(state, chosen) for state, chosen in to_review(entries).items())
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'>{csp_meta()}<title>Grading report</title>"
            f"<style>{STYLE}</style></head><body><h1>Grading report</h1>{review}{''.join(sections)}</body></html>")


def write(root: Path = COURSE_ROOT, assignments: list[str] = ASSIGNMENTS, entries: list | None = None) -> Path:
    """Write the page whole or not at all (an instructor may be reading the last one)."""
    path = paths.report(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(build(root, assignments, entries))
    temporary.replace(path)
    return path


def main(argv=None) -> int:
    """nnkit report [--course DIR]: write the report of a course graded already; print its path."""
    parser = exits.command_parser("nnkit report", "Rewrite autograded/report.html from the gradebook; print its path.",
                                  ok="written", kit_failure="the gradebook cannot be read, or the page not written")
    parser.add_argument("--course", type=Path, default=COURSE_ROOT, help="the course folder (default: this kit's)")
    print(write(parser.parse_args(argv).course.resolve()))
    return exits.OK
