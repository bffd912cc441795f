"""JudgeRecords: the nbgrader preprocessor that turns recorded outcomes into grades, run in nbgrader's
own process right after `Execute` (nbgrader_config.py). Each hidden-test cell's outputs are replaced
by its verdicts: a stdout line per passed case, or one `error` output saying what is wrong (scored
zero); a missing record fails with the reason. What it decided is written as data into the
notebook's metadata (the review items: nnkit.judging.review), replacing whatever a submission held
there. Why the kernel only records and the grader judges: docs/grading.md.
"""
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade

from nnkit.judging.cells import hidden_test_cases, recorded_cases
from nnkit.judging.integrity import scan
from nnkit.judging.judge import Verdict, forbidden_import, judge
from nnkit.judging.judge import heading as judged_heading
from nnkit.judging.review import METADATA_KEY, USAGE_KEY, Kind, Review, events_of
from nnkit.kernel import schema as records
from nnkit.kernel.course_cases import CASES

# Kinds of event that are listed for review and shown in the cell, never a verdict: a process killed
# for memory while the kernel lived on, output dropped at the cap or refused (records bypass both).
NOTES = {Kind.MEMORY, Kind.OUTPUT}
DUPLICATED = "the check was recorded more than once: your function published output that imitates the grader's"


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


def integrity_flags(nb: NotebookNode) -> dict[str, str]:
    """{function: reason} from the integrity scan of the student's (unlocked) code cells."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    locked = [c.metadata.get("nbgrader", {}).get("locked", False) for c in code]
    graded = {f for c in code for name in hidden_test_cases(c) for f in CASES[name].functions}
    flags = scan([c.source for c, lock in zip(code, locked, strict=True) if not lock], graded,
                 [c.source for c, lock in zip(code, locked, strict=True) if lock])
    return {flag.function: flag.reason for flag in flags}


def failed_imports(nb: NotebookNode) -> str:
    """What the student's own cells could not import (torch, scipy... are not there when grading)."""
    found = [
        forbidden_import(str(o.get("evalue", "")))
        for c in nb.cells
        if c.cell_type == "code" and not is_grade(c)
        for o in c.get("outputs", [])
        if o.get("output_type") == "error" and o.get("ename") == "ModuleNotFoundError"
    ]
    return "; ".join(dict.fromkeys(found))


def judge_cell(cell: NotebookNode, event: Review | None = None, earlier: str = "") -> list[Verdict]:
    """The verdicts of a hidden-test cell; `event` is what the grader saw happen to it (a time
    limit, a dead kernel), which decides over anything the cell's own outputs say; `earlier`, what
    failed in the student's cells before it, said when the function under test is undefined."""
    recorded, counts = {}, {}
    for output in cell.get("outputs", []):
        record = records.record_in(output.get("data")) if output.get("output_type") == "display_data" else None
        if isinstance(record, dict):
            name = records.case_of(record) or "?"
            recorded.setdefault(name, record)
            counts[name] = counts.get(name, 0) + 1
    verdicts = []
    for name in recorded_cases(cell.source):
        case = CASES[name]
        heading = judged_heading(case)
        if event is not None:
            verdicts.append(Verdict(False, f"{heading}\n  the test could not run: {event.detail}"))
        elif counts.get(name, 0) > 1:  # the function under test published a record of its own
            verdicts.append(Verdict(False, f"{heading}\n  {DUPLICATED}.", review=DUPLICATED))
        elif name in recorded:
            verdicts.append(judge(recorded[name]))
        else:
            why = cell_error(cell) or "the check did not run to the end"
            if why.startswith("NameError") and earlier:
                why += f" (an earlier cell failed: {earlier})"
            verdicts.append(Verdict(False, f"{heading}\n  the test could not run: {why}"))
    return verdicts


class JudgeRecords(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        nb.metadata.pop(METADATA_KEY, None)  # only what this grader decides goes there
        for cell in nb.cells:
            cell.metadata.pop(METADATA_KEY, None)
        events = events_of(resources)
        # What decides a hidden test's verdict: the cell could not run (a time limit, a dead kernel, the
        # budget); the first such event of a cell is the reason. A note (NOTES) does not: the record decides.
        # Every event of every cell is listed for review, in the order they happened.
        self.events: dict[str | None, list[Review]] = {}
        self.notes: dict[str | None, list[Review]] = {}
        for event in events:
            (self.notes if event.kind in NOTES else self.events).setdefault(event.cell, []).append(event)
        self.earlier = failed_imports(nb)
        self.review = list(events)
        nb, resources = super().preprocess(nb, resources)
        self.review += [
            Review(Kind.FLAG, None, f"{function}: {reason}") for function, reason in integrity_flags(nb).items()
        ]
        nb.metadata[METADATA_KEY] = {"review": [item.as_data() for item in self.review]}
        if resources.get(USAGE_KEY):
            nb.metadata[METADATA_KEY]["usage"] = dict(resources[USAGE_KEY])
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        if hidden_test_cases(cell):
            grade_id = cell.metadata["nbgrader"].get("grade_id")
            event = self.events.get(grade_id, [None])[0]
            verdicts = judge_cell(cell, event, self.earlier)
            self.review += [Review(Kind.JUDGE, grade_id, v.review) for v in verdicts if v.review]
            cell.outputs = verdict_outputs(verdicts)
            for note in self.notes.get(grade_id, []):
                cell.outputs.append(
                    from_dict({"output_type": "stream", "name": "stdout", "text": f"[{note.detail}]\n"})
                )
        return cell, resources
