"""JudgeRecords: the nbgrader preprocessor that turns recorded outcomes into grades.

Registered in nbgrader_config.py right after `Execute` in `Autograde.autograde_preprocessors`,
so it runs in nbgrader's own process, after the student's kernel has finished and before
`SaveAutoGrades` reads the outputs. For every graded test cell whose (instructor-owned,
restored) source calls `record("<case>", ...)`, it replaces the cell's outputs with the verdict:
a stdout line per passed case, or one `error` output listing what is wrong, which nbgrader
scores as zero. A case whose record is missing (the function was undefined, the cell crashed,
the record was suppressed) fails with the reason. Student code cannot change these outputs.
A function that the integrity scan (nnkit.integrity) flags fails every case, with the reason.
"""
import ast

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade

from nnkit.cases import CASES
from nnkit.codec import MIME
from nnkit.integrity import scan
from nnkit.judge import Verdict, judge

FLAGGED = "flagged for review"  # the report finds flagged answers by this phrase


def recorded_cases(source: str) -> list[str]:
    """The case names of the `record("<case>", function)` calls in a cell's source, in order."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record"
            and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in CASES]


def verdict_outputs(verdicts: list[Verdict]) -> list[NotebookNode]:
    passed = [v.message for v in verdicts if v.passed]
    failed = [v.message for v in verdicts if not v.passed]
    outputs = []
    if passed:
        outputs.append(from_dict({"output_type": "stream", "name": "stdout", "text": "\n".join(passed) + "\n"}))
    if failed:
        text = "\n".join(failed)
        outputs.append(from_dict({"output_type": "error", "ename": "WrongAnswer", "evalue": text,
                                  "traceback": ["WrongAnswer: " + text]}))
    return outputs


def cell_error(cell: NotebookNode) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            if output.get("ename") in ("CellTimeoutError", "KeyboardInterrupt"):  # nbclient interrupts at the limit
                return "it did not finish within the time limit per cell (an endless loop?)"
            return f"{output.get('ename')}: {output.get('evalue')}"
    return ""


def integrity_flags(nb: NotebookNode) -> dict[str, str]:
    """{function: reason} from the integrity scan of the student's (unlocked) code cells."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    locked = [c.metadata.get("nbgrader", {}).get("locked", False) for c in code]
    graded = {CASES[name].function for c in code if is_grade(c) for name in recorded_cases(c.source)}
    flags = scan([c.source for c, lock in zip(code, locked) if not lock], graded,
                 [c.source for c, lock in zip(code, locked) if lock])
    return {flag.function: flag.reason for flag in flags}


def judge_cell(cell: NotebookNode, flags: dict[str, str] = {}) -> list[Verdict]:
    records, counts = {}, {}
    for output in cell.get("outputs", []):
        data = output.get("data", {}) if output.get("output_type") == "display_data" else {}
        if isinstance(data.get(MIME), dict):
            records.setdefault(data[MIME].get("case"), data[MIME])
            counts[data[MIME].get("case")] = counts.get(data[MIME].get("case"), 0) + 1
    verdicts = []
    for name in recorded_cases(cell.source):
        case = CASES[name]
        if case.function in flags:
            verdicts.append(Verdict(False, f"{case.function}: {case.what}\n  {FLAGGED}: your answer "
                                    f"{flags[case.function]}. Answers must be your own NumPy code; "
                                    "your instructor will review this."))
        elif counts.get(name, 0) > 1:  # the function under test published a record of its own
            verdicts.append(Verdict(False, f"{case.function}: {case.what}\n  {FLAGGED}: the check was recorded "
                                    "more than once: your function published output that imitates the grader's."))
        elif name in records:
            verdicts.append(judge(records[name]))
        else:
            why = cell_error(cell) or "the check did not run to the end"
            verdicts.append(Verdict(False, f"{case.function}: {case.what}\n  the test could not run: {why}"))
    return verdicts


class JudgeRecords(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        self.flags = integrity_flags(nb)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and is_grade(cell) and recorded_cases(cell.source):
            cell.outputs = verdict_outputs(judge_cell(cell, self.flags))
        return cell, resources
