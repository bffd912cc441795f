"""The authoring tools' own promises (docs/authoring.md is replayed by test_guide.py): `add` keeps
course.toml's layout and refuses a name twice, `add --case` puts a hidden-test cell where it
belongs, `try` tells a crash of the kit from points lost, `check` names the line that differs,
`references` refuses a torch version that answers nothing, `regenerate` lists what it changed and
clears only the demo class's gradebook entries."""
import os
import re
import shutil
import subprocess
import sys
import tomllib

import nbformat
import pytest

from nnkit import exits
from nnkit.kernel.config import COURSE_ROOT
from nnkit.testing import nnkit_command


def run(command: str, root, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-e", "-c", command], cwd=root, env=env, capture_output=True, text=True, timeout=300)


# --- the tools' own promises ---------------------------------------------------------------------

def test_add_keeps_comments_and_a_list_over_several_lines(tmp_path):
    from nnkit.authoring.commands import add

    text = ('# the course\nid = "x"\nassignments = [\n    "activations",  # first\n    "convolution",\n]\n'
            'language = "en"  # what students read\n')
    (tmp_path / "course.toml").write_text(text)
    made = add("gradients", root=tmp_path)
    written = (tmp_path / "course.toml").read_text()
    assert tomllib.loads(written)["assignments"] == ["activations", "convolution", "gradients"]
    assert "# first" in written and "# what students read" in written and written.startswith("# the course\n")
    assert (tmp_path / "assignments" / "gradients" / "demo.toml").is_file() and tmp_path / "course.toml" in made
    with pytest.raises(FileExistsError):
        add("gradients", root=tmp_path)
    assert (tmp_path / "course.toml").read_text() == written


def test_add_refuses_an_existing_name_with_one_line_and_exit_2(capsys):
    from nnkit.authoring.commands import main

    before = (COURSE_ROOT / "course.toml").read_text()
    assert main(["add", "activations"]) == exits.CANNOT_CHECK
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "activations" in err
    assert (COURSE_ROOT / "course.toml").read_text() == before


def test_add_case_puts_a_hidden_test_after_its_function_s_last(tmp_path):
    """A hidden test of activations' sigmoid_mnist, taken out of a copy of its notebook, is put back
    after sigmoid's last hidden test, as the notebook had it (its description from cases.py)."""
    from nnkit.authoring.commands import add_case
    from nnkit.collect.notebooks import notebook_path, read
    from nnkit.judging.cells import hidden_test_cases
    from nnkit.kernel.course_cases import CASES

    shutil.copytree(COURSE_ROOT / "source" / "activations", tmp_path / "source" / "activations")
    path = notebook_path("source", "activations", tmp_path)
    notebook = read(path)
    where = next(i for i, c in enumerate(notebook.cells) if hidden_test_cases(c) == ["sigmoid_mnist"])
    original = notebook.cells.pop(where)
    nbformat.write(notebook, str(path))
    add_case("activations", "sigmoid_mnist", original.metadata.nbgrader.points, tmp_path)
    cells = read(path).cells
    (index,) = [i for i, c in enumerate(cells) if hidden_test_cases(c) == ["sigmoid_mnist"]]
    assert cells[index].source == original.source and cells[index].metadata == original.metadata
    (before,) = hidden_test_cases(cells[index - 1])
    assert CASES[before].function == "sigmoid" and not any(
        CASES[c].function == "sigmoid" for cell in cells[index + 1:] for c in hidden_test_cases(cell))
    with pytest.raises(FileExistsError):
        add_case("activations", "sigmoid_mnist", 2, tmp_path)
    with pytest.raises(LookupError):
        add_case("activations", "conv_single", 2, tmp_path)  # convolution's


def test_a_crash_of_try_is_the_kit_s_failure_never_points_lost():
    """`nnkit author try` whose grading crashes (as nbgrader did without alembic on
    PATH) exits KIT_FAILURE with the traceback and a line saying so, never POINTS_LOST."""
    crash = ("import nnkit.batch.selfcheck\nfrom nnkit import cli\n"
             "def check(path):\n    raise RuntimeError('nbgrader could not enter activations in the gradebook')\n"
             "nnkit.batch.selfcheck.check = check\ncli.main(['author', 'try', 'tests/variants/wrong/relu_leaky.py'])\n")
    result = subprocess.run([sys.executable, "-c", crash], cwd=COURSE_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == exits.KIT_FAILURE != exits.POINTS_LOST, result.stderr
    assert "Traceback" in result.stderr and "the kit failed" in result.stderr
    guide_line = "false || test $? = 1"  # the guide's form: only points lost (1) passes
    assert run(f"(exit {exits.KIT_FAILURE}) || test $? = 1", COURSE_ROOT, dict(os.environ)).returncode != 0
    assert (
        run(guide_line.replace("false", f"(exit {exits.POINTS_LOST})"), COURSE_ROOT, dict(os.environ)).returncode == 0
    )


def test_try_keeps_a_variant_s_helper_functions():
    from nnkit.collect.notebooks import implementations_in

    code = (
        "import numpy as np\n\n\ndef positive(x):\n    return x > 0\n\n\ndef relu(x):\n"
        "    return np.where(positive(x), x, 0.0)\n"
    )
    (relu,) = implementations_in(code, {"relu", "sigmoid"}).values()
    namespace = {}
    exec(relu, namespace)
    assert namespace["relu"](-1.0) == 0.0 and "def positive" in relu


def test_references_refuses_a_torch_version_that_answers_nothing(monkeypatch, tmp_path, capsys):
    from nnkit.judging import references

    monkeypatch.setattr(references, "torch_results_path", lambda assignment: tmp_path / "torch_results.npz")
    monkeypatch.setattr(references.key("activations"), "torch_reference", lambda function, *a, **k: None)
    references.stored_torch_results.cache_clear()
    try:
        assert references.main(["activations"]) == exits.POINTS_LOST
    finally:
        references.stored_torch_results.cache_clear()
    assert "torch_reference returned None on every case of relu" in capsys.readouterr().err


def test_the_mutation_report_offers_only_options_it_has():
    usage = (COURSE_ROOT / "Makefile").read_text() + (COURSE_ROOT / "docs" / "authoring.md").read_text()
    usage = "\n".join(line for line in usage.splitlines() if "author mutants" in line)
    helped = subprocess.run(nnkit_command("author", "mutants", "--help"), cwd=COURSE_ROOT, capture_output=True,
                            text=True, timeout=120).stdout
    assert "usage: nnkit author mutants" in helped and "exit codes" in helped
    assert set(re.findall(r"--[a-z]+", usage)) <= set(re.findall(r"--[a-z]+", helped))


def test_a_bad_assignment_name_is_a_bad_argument(capsys):
    from nnkit.authoring import commands as authoring

    with pytest.raises(SystemExit) as exited:
        authoring.main(["add", "Bad-Name"])
    assert exited.value.code == exits.CANNOT_CHECK
    assert "a Python identifier in lower case" in capsys.readouterr().err
