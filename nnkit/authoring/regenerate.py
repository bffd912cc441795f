"""`nnkit author regenerate [NAME]`: every file made from the assignments' sources, rewritten in the
one right order (each step reads what the one before wrote), then the list of files that changed.

  1. the source notebooks' derived lines (each hidden test's description, the intro's total), checked
  2. release/ (nbgrader generate_assignment), after removing the demo class's gradebook entries
  3. every release folder's README       4. solutions/ (those out of sync)
  5. the demo class (submitted/)          6. the references against torch's stored results
  7. README.md's demo table, and the sentences that count the assignments (nnkit.authoring.counts)

With NAME, steps 1, 2, 4, 5 and 6 do that assignment only; 3 and 7 name every assignment.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nnkit import exits
from nnkit.collect import paths
from nnkit.gradebook.tools import nbgrader, with_tools_on_path
from nnkit.kernel.config import COURSE_ROOT

# What regenerate may write, relative to the course: the list of changes is taken over these.
GENERATED = ("source/*/*.ipynb", "source/*/README.md", "release/**/*", "solutions/**/*", "submitted/**/*", "README.md",
             "docs/*.md")
TIMING = re.compile(r"ETA \d+ s|\d+(\.\d+)? s\b")
TOTAL = re.compile(r"\*\*Total: [\d.]+ points\*\*")


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for pattern in GENERATED for p in root.glob(pattern) if p.is_file()}


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(f"{'new     ' if p not in before else 'changed '}{p}" for p in after if before.get(p) != after[p]) + \
        sorted(f"removed {p}" for p in before if p not in after)


# --- 1. the lines of a source notebook that are derived from elsewhere ---------------------------

def write_derived_lines(assignment: str) -> bool:
    """Write each hidden-test cell's first line from its case, and the intro's `**Total: N points**`
    from the cells' points; True when the notebook changed."""
    import nbformat

    from nnkit.authoring.notebook_checks import hidden_line
    from nnkit.collect.notebooks import notebook_path, read
    from nnkit.judging.cells import hidden_test_cases
    from nnkit.kernel.course_cases import CASES

    path = notebook_path("source", assignment)
    notebook = read(path)
    before = [cell.source for cell in notebook.cells]
    total = sum(cell.metadata.get("nbgrader", {}).get("points", 0) for cell in notebook.cells
                if cell.metadata.get("nbgrader", {}).get("grade"))
    notebook.cells[0].source = TOTAL.sub(f"**Total: {total:g} points**", notebook.cells[0].source)
    for cell in notebook.cells:
        cases = hidden_test_cases(cell)
        if len(cases) == 1 and cases[0] in CASES:
            first, _, rest = cell.source.partition("\n")
            if first.startswith("# Hidden test"):
                cell.source = hidden_line(cell.metadata["nbgrader"]["points"], CASES[cases[0]].what) + "\n" + rest
    if [cell.source for cell in notebook.cells] == before:
        return False
    nbformat.write(notebook, str(path))
    return True


# --- 2. the release, which the course's gradebook must let nbgrader change -----------------------

def clear_demo_entries(assignment: str, root: Path) -> tuple[list[str], list[str]]:
    """Remove the demo class's submissions of `assignment` from the course's gradebook and autograded/
    (nbgrader refuses to add or remove an assignment's cells while it has submissions); return the
    demo students removed and the other students who have one, which are never removed."""
    from nbgrader.api import MissingEntry

    from nnkit.authoring.democlass import DEMO_STUDENTS
    from nnkit.gradebook.db import db_url, open_gradebook

    url = db_url(root)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return [], []
    with open_gradebook(root) as gradebook:
        try:
            students = [s.student.id for s in gradebook.find_assignment(assignment).submissions]
        except MissingEntry:
            return [], []
        others = sorted(set(students) - set(DEMO_STUDENTS))
        removed = [] if others else sorted(set(students) & set(DEMO_STUDENTS))
        for student in removed:
            gradebook.remove_submission(assignment, student)
            shutil.rmtree(paths.step_root(root, "autograded") / student / assignment, ignore_errors=True)
    return removed, others


def generate_release(root: Path = COURSE_ROOT, assignments=None) -> None:
    """release/<name>/, the student's version, by nbgrader generate_assignment; on failure the
    release folder is put back as it was (nbgrader deletes it)."""
    from nnkit.kernel.config import ASSIGNMENTS

    for assignment in assignments or ASSIGNMENTS:
        release = root / "release" / assignment
        with tempfile.TemporaryDirectory(prefix="nnkit-release-") as keep:
            kept = Path(keep) / assignment
            if release.is_dir():
                shutil.copytree(release, kept)
            try:
                nbgrader("generate_assignment", assignment, "--force", root=root)
            except RuntimeError:
                if kept.is_dir():
                    shutil.rmtree(release, ignore_errors=True)
                    shutil.copytree(kept, release)
                raise


# --- 6. the references -----------------------------------------------------------------------------

def reference_problems(assignment: str) -> list[str]:
    """Each case whose reference disagrees with torch's stored result or a cross-check."""
    from nnkit.judging import references
    from nnkit.kernel.course_cases import CASES

    if not references.torch_results_path(assignment).is_file():
        return [f"{assignment}: no torch results stored: nnkit author references {assignment}"]
    references.stored_torch_results.cache_clear()
    problems = []
    for case in (c for c in CASES.values() if c.assignment == assignment):
        try:
            references.expected(case.name)
        except Exception as error:  # the references' KitError, or the reference's own crash
            problems.append(f"{case.name}: {error}")
    return problems


# --- 7. the README's demo table ---------------------------------------------------------------------

def readme_demo_lines(root: Path) -> tuple[list[str], dict]:
    """The demo's output as the README shows it (`make demo`), graded in a throwaway copy of the
    course with the demo class; and {student: {assignment: score}}."""
    from nnkit.authoring.democlass import DEMO_FIRST_LINE, DEMO_STUDENTS, demo_last_line
    from nnkit.gradebook.scratch import scratch_course
    from nnkit.gradebook.states import class_submissions
    from nnkit.kernel.config import ASSIGNMENTS

    with tempfile.TemporaryDirectory(prefix="nnkit-regenerate-") as tmp:
        course = scratch_course(Path(tmp) / "course")
        for student in DEMO_STUDENTS:
            for assignment in ASSIGNMENTS:
                shutil.copytree(paths.submitted(root, student, assignment),
                                paths.submitted(course, student, assignment))
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "nnkit.batch.cli", "--course", "."], cwd=course,
                                env=with_tools_on_path(dict(os.environ)), capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            raise RuntimeError(f"grading the demo class failed:\n{result.stdout}\n{result.stderr}")
        table: dict = {}
        for entry in class_submissions(course, list(ASSIGNMENTS)):
            table.setdefault(entry.student, {})[entry.assignment] = entry.score
    lines = [DEMO_FIRST_LINE, *result.stderr.splitlines(), "", *result.stdout.splitlines(), demo_last_line(seconds)]
    return lines, table


def replace_checked(readme: str, name: str, lines: list[str]) -> str:
    """The README with the text block after `<!-- checked: name -->` replaced by `lines`, unless
    it already says the same (times aside: they differ from run to run)."""
    marker = f"<!-- checked: {name} -->"
    head, tail = readme.split(marker, 1)
    block = re.search(r"```text\n(.*?)```", tail, re.S)
    old = block.group(1).rstrip("\n").splitlines()
    if [TIMING.sub("", line.rstrip()) for line in old] == [TIMING.sub("", line.rstrip()) for line in lines]:
        return readme
    return head + marker + tail[:block.start(1)] + "\n".join(lines) + "\n" + tail[block.end(1):]


def demo_table(root: Path) -> list[str]:
    """Write the README's demo table; return what the demo class scores that its demo.toml does not state."""
    from nnkit.authoring.democlass import DEMO_STUDENTS, demo_score
    from nnkit.kernel.config import ASSIGNMENTS

    lines, scores = readme_demo_lines(root)
    readme = root / "README.md"
    text = readme.read_text()
    if (new := replace_checked(text, "demo", lines)) != text:
        readme.write_text(new)
    return [f"{student} scores {scores.get(student, {}).get(a)} on {a}, not {demo_score(student, a):g}"
            + (f" (assignments/{a}/demo.toml)" if student == "seed" else "")
            for a in ASSIGNMENTS for student in DEMO_STUDENTS
            if scores.get(student, {}).get(a) != demo_score(student, a)]


# --- the whole -----------------------------------------------------------------------------------------

def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def regenerate(name: str | None = None, root: Path = COURSE_ROOT) -> int:
    from nnkit.authoring import counts, release_readmes, worked_solutions
    from nnkit.authoring.democlass import write_class
    from nnkit.authoring.notebook_checks import check
    from nnkit.kernel.config import ASSIGNMENTS, BEING_ADDED

    chosen = [name] if name else list(ASSIGNMENTS)
    for being_added, missing in BEING_ADDED.items():
        say(f"{being_added}: being added, left out until it has {', '.join(missing)}")
    before = snapshot(root)
    for assignment in chosen:
        removed, graded = clear_demo_entries(assignment, root)
        if graded:
            named = ", ".join(graded[:3]) + (", ..." if len(graded) > 3 else "")
            say(f"{assignment}: the gradebook holds submissions of {len(graded)} students ({named}): "
                "nbgrader cannot change its cells under them; nothing regenerated")
            return exits.CANNOT_CHECK
        if removed:
            say(f"{assignment}: removed the demo class's submissions ({', '.join(removed)}) from the gradebook")
    for assignment in chosen:
        write_derived_lines(assignment)
    problems = check(chosen)
    if problems:
        say("\n".join(problems) + "\nfix these first: the release and the demo class are made from the notebooks")
        return exits.POINTS_LOST
    say(f"1/6 release/ ({', '.join(chosen)}): nbgrader generate_assignment")
    generate_release(root, chosen)
    say("2/6 the release folders' READMEs")
    release_readmes.write(root)
    stale = [a for a in chosen if worked_solutions.sync_problems(a)]
    say(f"3/6 solutions/: {', '.join(stale) or 'all in sync'}")
    for assignment in stale:
        worked_solutions.write(assignment)
    say("4/6 the demo class (submitted/)")
    write_class(paths.step_root(root, "submitted"), chosen)
    say("5/6 the references against torch's stored results")
    problems = [p for a in chosen for p in reference_problems(a)]
    say("6/6 README.md's demo table: grading the demo class in a throwaway course (about 10 s a notebook)")
    wrong = demo_table(root)
    counts.write(root)
    changed = changes(before, snapshot(root))
    print("\n".join(changed) if changed else "nothing changed: every generated file was in sync")
    if problems or wrong:
        say("\n".join(problems + wrong))
        return exits.POINTS_LOST
    return exits.OK
