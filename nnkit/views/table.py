"""The grade table the batch prints (and the demo shows): a row per student, a column per assignment;
a student's name shown escaped (nnkit.collect.escape)."""
from nnkit.collect.escape import escaped
from nnkit.kernel.config import ASSIGNMENTS


def format_table(entries: list, assignments: tuple[str, ...] = ASSIGNMENTS) -> str:
    """The grade table, a row per student, from nnkit.gradebook.states Submissions. A cell is `score/max`
    followed by the state's mark (? to review, ! not gradable, * not graded yet, - missing); the
    total counts every assignment shown, so every row has the same denominator."""
    from nnkit.gradebook.states import LEGEND, MARKS, State

    by_student: dict[str, dict[str, object]] = {}
    for entry in entries:
        by_student.setdefault(entry.student, {})[entry.assignment] = entry
    header = ["student", *assignments, "total"]
    rows = [header]
    for student in sorted(by_student):
        got = [by_student[student].get(a) for a in assignments]
        cells = [("-" if e is None or e.state == State.MISSING else
                  (f"{e.score:g}/{e.max_score:g}" if e.score is not None else "") + e.mark) for e in got]
        score = sum(e.score for e in got if e is not None and e.score is not None)
        most = sum(e.max_score for e in got if e is not None)
        rows.append([escaped(student), *cells, f"{score:g}/{most:g}"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    table = "\n".join(
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        for row in rows
    )
    shown = {e.state for e in entries} - {State.GRADED}
    legend = ", ".join(f"{MARKS[state]} {LEGEND[state]}" for state in State if state in shown)
    return table + (f"\n({legend})" if legend else "")
