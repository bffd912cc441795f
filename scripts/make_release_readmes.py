"""Write each release folder's README.md: what its student does, in four steps (install, open,
validate, submit), from the assignment's own facts (its notebook's title and points, its
requirements.txt, its data, the course id).

The README goes in source/<assignment>/, which nbgrader copies into release/<assignment>/ with the
notebook (`nbgrader generate_assignment`); this writes both, so that no regeneration is needed.

    .venv/bin/python -m scripts.make_release_readmes
tests/course/test_release_readmes.py checks that the committed files are what this writes, and runs the
install and validate commands of activations' README as written, in a fresh environment.
"""
import sys
import textwrap

from nnkit import exits
from nnkit.collect.notebooks import notebook_path, read, total_points
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ID, COURSE_ROOT

VENV = "~/nn-env"  # where the README puts the student's virtual environment

# What a fresh virtual environment made from each release folder's requirements.txt takes on disk
# (`python3 -m venv`, `pip install -r requirements.txt`, `du -sh`; Linux, Python 3.11), written
# here once. backprop's CPU-only torch comes from PyTorch's own index, which the kit's machines
# cannot reach, so its size is not measured (None: not given); the default index's build, with
# CUDA, was measured.
SIZES = {"activations": "409 MB", "convolution": "409 MB", "backprop": None}
DEFAULT_INDEX_SIZE = "5.9 GB"

# nbgrader's own way of showing a student only the student's tools (its installation guide):
# Create Assignment, Formgrader and the course list off, the assignment list and Validate on.
STUDENT_ONLY = (f"{VENV}/bin/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:formgrader "
                "@jupyter/nbgrader:create-assignment @jupyter/nbgrader:course-list",
                f"{VENV}/bin/jupyter server extension disable --sys-prefix nbgrader.server_extensions.formgrader "
                "nbgrader.server_extensions.course_list")


def title(assignment: str) -> str:
    """The notebook's own title: the first heading of its first cell."""
    first = read(notebook_path("source", assignment)).cells[0].source.splitlines()[0]
    return first.lstrip("#").strip()


def code(*commands: str) -> str:
    return "\n".join(["```bash", *commands, "```"])


def prose(*sentences: str) -> str:
    return textwrap.fill(" ".join(sentences), width=100, break_on_hyphens=False)


def readme(assignment: str) -> str:
    """The README of release/<assignment>/."""
    folder = COURSE_ROOT / "source" / assignment
    notebook = f"{assignment}.ipynb"
    requirements = (folder / "requirements.txt").read_text()
    cpu_only = any(line.startswith("--extra-index-url") and "download.pytorch.org/whl/cpu" in line
                   for line in requirements.splitlines())
    blocks = [
        f"# {title(assignment)}",
        prose(f"`{notebook}` is assignment {ASSIGNMENTS.index(assignment) + 1} of {len(ASSIGNMENTS)}",
              f"({', '.join(ASSIGNMENTS)}) of the course `{COURSE_ID}`, worth **{total_points(assignment):g} points**.",
              "What each function must do (shapes, dtypes, tolerances, what the hidden tests feed it) is at the",
              "top of the notebook and above each answer cell."),
        "## 1. Install",
        prose("With Python 3.11 or newer, from this folder:"),
        code(f"python3 -m venv {VENV}", f"{VENV}/bin/pip install -r requirements.txt", *STUDENT_ONLY),
        prose("`requirements.txt` holds JupyterLab, nbgrader (for the *Validate* button) and what the notebook",
              "imports" + (", with PyTorch's CPU-only build from PyTorch's own package index: far smaller than the"
                           " default build with CUDA" if cpu_only else "") + ("" if SIZES[assignment] else "."),
              *([f"({SIZES[assignment]} in all)."] if SIZES[assignment] else []),
              "The last two commands hide nbgrader's instructor tools (Create",
              "Assignment, Formgrader, the course list), which pip installs with it; the *Assignment List* and",
              "*Validate* stay."),
        *([prose("If pip cannot reach `download.pytorch.org` (it says it cannot find `torch==...+cpu`), install",
                 f"the default index's build instead, with CUDA ({DEFAULT_INDEX_SIZE} in all; the notebook "
                 "runs the same):"),
           code("grep -v '^--extra-index-url' requirements.txt | sed 's/+cpu//' > requirements-default.txt",
                f"{VENV}/bin/pip install -r requirements-default.txt")] if cpu_only else []),
        "## 2. Open",
        prose("Work in a copy of this folder of your own, then:"),
        code(f"{VENV}/bin/jupyter lab {notebook}"),
        prose("Write each function where it says `# YOUR CODE HERE`, then run the *Check your ...* cell below it.",
              "The checks teach what each function must do but grant no points: the locked *Hidden test* cells",
              "carry the points, and the grader runs them after you hand in, where only NumPy, Matplotlib and",
              "the standard library can be imported.",
              *(["Keep `data/` next to the notebook: it holds the MNIST sample the notebook loads."]
                if (folder / "data").is_dir() else [])),
        "## 3. Validate",
        prose("Click *Validate* in the notebook's toolbar, or:"),
        code(f"{VENV}/bin/nbgrader validate {notebook}"),
        prose("It runs the whole notebook and fails, naming each failing check, until every check passes; then",
              "it says `Success! Your notebook passes all the tests.`"),
        "## 4. Submit",
        prose(f"Hand in `{notebook}` under that name (a renamed notebook cannot be graded); do not edit the",
              "locked cells, the grader restores them. How depends on your course:"),
        prose("- **On the course's server** (JupyterHub with nbgrader's exchange): the *Assignment List* panel, or",
              f"this command from the folder that holds your `{assignment}/` folder. Without an exchange (on your",
              "own machine) it ends in \"Unwritable directory, please contact your instructor\": hand in as below."),
        code(f"{VENV}/bin/nbgrader submit {assignment} --course {COURSE_ID}"),
        prose(f"- **Through your course's website** (an LMS): upload `{notebook}` itself."),
        prose("- **On your own**, with no instructor: there is nothing to submit; the kit's self-check grades your",
              "notebook like the instructor's autograder (`docs/self-study.md` in the kit's repository)."),
        prose("`nbgrader validate` exits 0 even when checks fail (read its message); the kit's self-check exits",
              "non-zero whenever points are lost."),
    ]
    return "\n\n".join(blocks) + "\n"


def main() -> int:
    for assignment in ASSIGNMENTS:
        text = readme(assignment)
        for folder in ("source", "release"):
            path = COURSE_ROOT / folder / assignment / "README.md"
            path.write_text(text)
            print(f"wrote {path.relative_to(COURSE_ROOT)}", file=sys.stderr)
    return exits.OK


if __name__ == "__main__":
    exits.run(main)
