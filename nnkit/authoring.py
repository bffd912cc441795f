"""Tools for an author adding an assignment (docs/authoring.md follows them step by step).

    python -m nnkit.authoring add NAME            course.toml lists it; its folders are made
    python -m nnkit.authoring try VARIANT.py      grade one implementation as a student's answer

`add` appends the assignment to course.toml and creates source/NAME/ and assignments/NAME/ (with
`key/`) and their package files; it writes no content: the guide does, file by file. `try` puts
the functions of a Python file into the assignment's release notebook, in place of the reference
answers, and grades that notebook with the real autograder (the self-check, nnkit.selfcheck),
printing what a student would read: the quickest way to see that a wrong variant loses points
and a correct one keeps them, before the catalogue's tests (make test) prove it.
"""
import argparse
import re
import sys
import tempfile
from pathlib import Path

from nnkit.syllabus import COURSE_FILE, COURSE_ROOT, read

PACKAGE = '"""{what}"""\n'


def add(name: str, root: Path = COURSE_ROOT) -> list[Path]:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise SystemExit(f"an assignment's name is a Python identifier in lower case (it names a package): {name!r}")
    course = root / COURSE_FILE.name
    listed = read(course)["assignments"]
    if name not in listed:
        text = course.read_text()
        line = re.search(r"^assignments\s*=.*$", text, re.M)
        course.write_text(text[:line.start()] + f"assignments = {listed + [name]!r}".replace("'", '"') + text[line.end():])
    made = []
    for folder in (root / "source" / name, root / "assignments" / name / "key"):
        folder.mkdir(parents=True, exist_ok=True)
        made.append(folder)
    for path, what in ((root / "assignments" / name / "__init__.py", f"The assignment `{name}`."),
                       (root / "assignments" / name / "key" / "__init__.py",
                        f"The grader's side of `{name}`: never shown to a grading kernel, never released.")):
        if not path.exists():
            path.write_text(PACKAGE.format(what=what))
            made.append(path)
    return made


def try_variant(variant: Path) -> int:
    """Grade the functions of `variant` as a student's answer; return the self-check's exit status."""
    import nbformat

    from nnkit.cases import CASES
    from nnkit.notebooks import fill, implementations_in, notebook_path, read as read_notebook, reference_code
    from nnkit.selfcheck import check, report

    code = implementations_in(variant.read_text())
    assignments = {c.assignment for c in CASES.values() if set(code) & set(c.functions)}
    if len(assignments) != 1:
        raise SystemExit(f"{variant}: its functions ({', '.join(code)}) are graded in {len(assignments)} assignments, not one")
    (assignment,) = assignments
    notebook = fill(read_notebook(notebook_path("release", assignment)), {**reference_code(assignment), **code})
    with tempfile.TemporaryDirectory(prefix="nnkit-try-") as tmp:
        path = Path(tmp) / f"{assignment}.ipynb"
        nbformat.write(notebook, str(path))
        result = check(path)
    result["notebook"] = str(variant)
    print(report(result))
    if "error" in result:
        return 2
    return 0 if result["score"] == result["max_score"] else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnkit.authoring", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("add", help="list a new assignment in course.toml and make its folders").add_argument("name")
    commands.add_parser("try", help="grade a Python file's functions as a student's answer").add_argument("variant", type=Path)
    args = parser.parse_args(argv)
    if args.command == "add":
        for path in add(args.name):
            print(f"made {path.relative_to(COURSE_ROOT)}")
        return 0
    return try_variant(args.variant)


if __name__ == "__main__":
    sys.exit(main())
