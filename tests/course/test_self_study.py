"""solutions/, the worked solutions for self-study (scripts/make_solutions.py): in sync with source/,
a full run whose every visible check passes, never visible to a grading kernel."""
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nnkit.collect.notebooks import is_answer_cell, notebook_path, read
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT
from scripts.make_solutions import HANDOUT_ONLY, SOLUTIONS, answer

PASS_LINE = "visible checks passed"  # what each visible check of the notebooks prints when it passes


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def is_visible_check(cell) -> bool:
    """A graded cell worth 0 points: a check the student sees (the hidden tests carry the points)."""
    grading = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and grading.get("grade", False) and grading.get("points") == 0


def sync_problems(assignment: str, solutions: Path = SOLUTIONS) -> list[str]:
    """How solutions/<assignment>/ differs from the release folder answered from source/."""
    folder, release = solutions / assignment, COURSE_ROOT / "release" / assignment
    problems = []
    theirs = files(folder)
    want = {name: data for name, data in files(release).items() if name not in (f"{assignment}.ipynb", *HANDOUT_ONLY)}
    if {k: v for k, v in theirs.items() if k != f"{assignment}.ipynb"} != want:
        problems.append(f"{folder}: its files other than the notebook are not release/{assignment}/'s")
    solution, handout = read(folder / f"{assignment}.ipynb"), read(notebook_path("release", assignment))
    source = {c.metadata["nbgrader"]["grade_id"]: c for c in read(notebook_path("source", assignment)).cells
              if "nbgrader" in c.metadata}
    if [(c.cell_type, c.metadata.get("nbgrader")) for c in solution.cells] != \
            [(c.cell_type, c.metadata.get("nbgrader")) for c in handout.cells]:
        return problems + ["its cells are not the release notebook's"]
    for ours, theirs_cell in zip(solution.cells, handout.cells, strict=True):
        grade_id = ours.metadata.get("nbgrader", {}).get("grade_id", "")
        expected = answer(source[grade_id]) if is_answer_cell(ours) else theirs_cell.source
        if ours.source != expected:
            problems.append(f"cell {grade_id}: not source/'s {'answer' if is_answer_cell(ours) else 'text'}")
    return problems


def run_problems(assignment: str, solutions: Path = SOLUTIONS) -> list[str]:
    """What the notebook's outputs lack of a full run in which every visible check passes."""
    notebook = read(solutions / assignment / f"{assignment}.ipynb")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    problems = []
    if [cell.execution_count for cell in code] != list(range(1, len(code) + 1)):
        problems.append("not one run from top to bottom")
    for cell in code:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        problems += [f"{grade_id}: error {o.get('ename')}" for o in cell.outputs if o.output_type == "error"]
        if is_visible_check(cell):
            printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            if not printed.strip().endswith(PASS_LINE):
                problems.append(f"{grade_id}: its output does not show a pass ({printed.strip()[-80:]!r})")
        if "plt." in cell.source and not any("image/png" in o.get("data", {}) for o in cell.outputs):
            problems.append(f"{grade_id}: plots, but shows no figure")
    if not any(is_visible_check(cell) for cell in code):
        problems.append("no visible check")
    return problems


def test_there_is_one_solution_per_assignment():
    assert sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir()) == sorted(ASSIGNMENTS)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solutions_are_the_release_answered_from_source(assignment):
    assert sync_problems(assignment) == [], "solutions/ is stale: python -m scripts.make_solutions"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solutions_show_a_full_run_in_which_every_check_passes(assignment):
    assert run_problems(assignment) == []


def test_backprop_solution_shows_its_loss_curve():
    """The worked backprop notebook holds the training's printed accuracy and its figure."""
    notebook = read(SOLUTIONS / "backprop" / "backprop.ipynb")
    (cell,) = [c for c in notebook.cells if "plt.plot(losses)" in c.source]
    assert any("image/png" in o.get("data", {}) for o in cell.outputs)
    assert "held-out accuracy" in "".join(o.get("text", "") for o in cell.outputs)


def test_the_checks_catch_a_stale_or_failing_solution(tmp_path):
    """The two checks above find a changed answer, a failing check and an error: they can fail."""
    import shutil

    shutil.copytree(SOLUTIONS / "activations", tmp_path / "activations")
    path = tmp_path / "activations" / "activations.ipynb"
    notebook = read(path)
    relu = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "relu")
    relu.source = relu.source.replace("np.maximum(x, 0)", "np.maximum(x, 0.0)")
    check = next(c for c in notebook.cells if is_visible_check(c))
    check.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[])]
    nbformat.write(notebook, str(path))
    assert sync_problems("activations", tmp_path) == ["cell relu: not source/'s answer"]
    assert run_problems("activations", tmp_path) == [
        f"{check.metadata.nbgrader.grade_id}: error AssertionError",
        f"{check.metadata.nbgrader.grade_id}: its output does not show a pass ('')"]


def test_one_command_writes_the_solutions(tmp_path):
    """`python -m scripts.make_solutions` writes what the checks above accept (activations: no torch)."""
    result = subprocess.run([sys.executable, "-m", "scripts.make_solutions", "activations", "--into", str(tmp_path)],
                            cwd=COURSE_ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert sync_problems("activations", tmp_path) == [] and run_problems("activations", tmp_path) == []
    assert not (COURSE_ROOT / "release" / "activations" / ".ipynb_checkpoints").exists()


def test_a_grading_kernel_never_sees_the_solutions():
    """solutions/ holds every answer: nowhere in a sandboxed kernel's filesystem, under any name."""
    from components import require

    require("bubblewrap")  # skipped without a sandbox that starts, failed under CI
    from nnkit.execution.execute import ResilientExecute

    probe = (
        "import os\nfound = []\nfor top in ['/'] :\n"
        "    for folder, dirs, names in os.walk(top):\n"
        "        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ('/proc', '/sys', '/dev')]\n"
        "        found += [os.path.join(folder, n) for n in dirs + names if n == 'solutions' or n.endswith('.ipynb')]\n"
        "print(found)\nprint(os.path.exists({path!r}))"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(probe.format(path=str(SOLUTIONS)))])
    resources = {"metadata": {"path": str(SOLUTIONS / "activations")}}
    executed, _ = ResilientExecute(kernel_name="python3", timeout=120).preprocess(notebook, resources)
    printed = "".join(o.get("text", "") for o in executed.cells[0].outputs)
    assert printed.splitlines() == ["[]", "False"], printed


def solutiondiff(*args):
    return subprocess.run([sys.executable, "-m", "nnkit.batch.solutiondiff", *map(str, args)], cwd=COURSE_ROOT,
                          capture_output=True, text=True, timeout=300)


def test_a_self_learner_compares_their_answers_with_the_worked_solution_in_nbdime():
    """nbdime (nbdiff) sees the answer cells' sources only, on both sides: the instructor's answers
    differ in nothing, the seed's show its own lines against the solution's, and no output,
    execution count, metadata or text cell of either notebook is compared."""
    same = solutiondiff(COURSE_ROOT / "submitted" / "correct" / "activations" / "activations.ipynb")
    assert same.returncode == 0, same.stdout + same.stderr
    assert "against the worked solution" in same.stdout and "cell" not in same.stdout.split("\n", 1)[1], same.stdout
    seed = solutiondiff(COURSE_ROOT / "submitted" / "seed" / "activations" / "activations.ipynb")
    assert seed.returncode == 0, seed.stdout + seed.stderr
    assert "- " in seed.stdout and "return 1 / (1 + np.exp(-x))" in seed.stdout, seed.stdout
    for never in ("outputs", "execution_count", "metadata", "visible checks passed", "Hidden test"):
        assert never not in seed.stdout, (never, seed.stdout)


def test_the_comparison_refuses_what_the_self_check_refuses(tmp_path):
    shutil.copy(COURSE_ROOT / "submitted" / "correct" / "backprop" / "backprop.ipynb", tmp_path / "activations.ipynb")
    result = solutiondiff(tmp_path / "activations.ipynb")
    assert result.returncode == 2 and "this is the backprop notebook saved as activations.ipynb" in result.stderr
