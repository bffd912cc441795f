"""JudgeRecords: the nbgrader preprocessor that turns recorded outcomes into grades.

Registered in nbgrader_config.py right after `Execute` in `Autograde.autograde_preprocessors`,
so it runs in nbgrader's own process, after the student's kernel has finished and before
`SaveAutoGrades` reads the outputs. For every graded test cell whose (instructor-owned,
restored) source calls `record("<case>", ...)`, it replaces the cell's outputs with the verdict:
a stdout line per passed case, or one `error` output listing what is wrong, which nbgrader
scores as zero. A case whose record is missing (the function was undefined, the cell crashed,
the record was suppressed) fails with the reason. Student code cannot change these outputs.
"""
import ast

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade

from nnkit.cases import CASES
from nnkit.codec import MIME
from nnkit.judge import Verdict, judge


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
            return f"{output.get('ename')}: {output.get('evalue')}"
    return ""


def judge_cell(cell: NotebookNode) -> list[Verdict]:
    records = {}
    for output in cell.get("outputs", []):
        data = output.get("data", {}) if output.get("output_type") == "display_data" else {}
        if isinstance(data.get(MIME), dict):
            records.setdefault(data[MIME].get("case"), data[MIME])
    verdicts = []
    for name in recorded_cases(cell.source):
        if name in records:
            verdicts.append(judge(records[name]))
        else:
            case = CASES[name]
            why = cell_error(cell) or "the check did not run to the end"
            verdicts.append(Verdict(False, f"{case.function}: {case.what}\n  the test could not run: {why}"))
    return verdicts


class JudgeRecords(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and is_grade(cell) and recorded_cases(cell.source):
            cell.outputs = verdict_outputs(judge_cell(cell))
        return cell, resources
