"""`nnkit`: the one command for every job a person runs (`nnkit --help` lists them by role).

Each subcommand is a module's `main(argv)`, imported only when it runs: `nnkit --help` and the
grading commands never import what another role's extra installs (torch, nbdime, mlxtend). The
venv's bin/ goes first on PATH, for this process and every one it starts (nnkit.gradebook.tools),
whatever the caller's PATH. The top of the kit's import graph: no module of the kit imports it.
"""
import importlib
import sys
from dataclasses import dataclass

from nnkit import exits


@dataclass(frozen=True)
class Command:
    name: str  # what a person types after `nnkit`
    target: str  # "module:function", called with the arguments after the name
    summary: str
    prefix: tuple[str, ...] = ()  # arguments put before the person's (the module's own subcommand)


GROUPS: dict[str, list[Command]] = {
    "Instructors": [
        Command("demo", "nnkit.authoring.demo:main", "grade the demo class, print the table"),
        Command("grade", "nnkit.batch.cli:main", "autograde the class: the table, grades.csv, the report"),
        Command("prepare", "nnkit.batch.cli:prepare_main",
                "only enter assignments and students in the gradebook (before shards)"),
        Command("collect", "nnkit.batch.cli:collect_main",
                "the table, grades.csv and the report of what is graded (after shards)"),
        Command("report", "nnkit.views.report:main", "rewrite autograded/report.html from the gradebook"),
        Command("export", "nnkit.views.export:main", "rewrite grades.csv from the gradebook"),
        Command("feedback", "nnkit.views.feedback:main", "the students' feedback pages of an assignment"),
        Command("nbgrader", "nnkit.gradebook.tools:main", "any nbgrader command, with the venv's tools on PATH"),
    ],
    "Students and self-learners": [
        Command("check", "nnkit.batch.selfcheck:main", "grade your own notebook like the autograder"),
        Command("compare", "nnkit.batch.solutiondiff:main", "your answers against the worked solution"),
    ],
    "Authors": [
        Command("author add", "nnkit.authoring.commands:main", "list a new assignment in course.toml, make its folders",
                ("add",)),
        Command("author check", "nnkit.authoring.commands:main", "the notebooks agree with the keys and the cases",
                ("check",)),
        Command("author try", "nnkit.authoring.commands:main", "grade a file's functions as a student's answer",
                ("try",)),
        Command("author references", "nnkit.judging.references:main",
                "torch's answers, stored in key/torch_results.npz (needs torch)"),
        Command("author mutants", "nnkit.authoring.mutants:main", "do the hidden tests catch wrong code?"),
        Command("author regenerate", "nnkit.authoring.commands:main", "every generated file, in the right order",
                ("regenerate",)),
        Command("author mnist-sample", "nnkit.authoring.mnist_sample:main",
                "rebuild data/ from its documented source (the data extra)"),
    ],
    "The kit": [
        Command("sandbox", "nnkit.sandbox.status:main",
                "whether the sandbox can start here, and what it gives a kernel"),
        Command("bench", "benchmarks.suite:main", "every speed figure of the kit, measured in one run"),
    ],
}
COMMANDS: dict[str, Command] = {command.name: command for group in GROUPS.values() for command in group}
HELP = ("-h", "--help")


def listing(prefix: str = "") -> str:
    """`nnkit --help` (or `nnkit author --help`, prefix "author "): the commands by role."""
    width = max(len(name) for name in COMMANDS) + 2
    lines = ["usage: nnkit COMMAND [ARGS ...]   (nnkit COMMAND --help: its arguments and exit codes)"]
    for role, commands in GROUPS.items():
        chosen = [c for c in commands if c.name.startswith(prefix)]
        if chosen:
            lines += ["", f"{role}:", *(f"  {c.name:<{width}}{c.summary}" for c in chosen)]
    return "\n".join(lines) + "\n\n" + exits.epilog(
        ok="the command did its job", points_lost="judged and found wanting (check, author try, author mutants)",
        cannot_check="the input cannot be judged, or a bad argument or command")


def find(argv: list[str]) -> tuple[Command | None, list[str]]:
    """The command `argv` starts with (its longest name), and the arguments after the name."""
    for words in (2, 1):
        command = COMMANDS.get(" ".join(argv[:words])) if len(argv) >= words else None
        if command:
            return command, argv[words:]
    return None, argv


def dispatch(argv: list[str]) -> int:
    if not argv or argv[0] in HELP:
        print(listing())
        return exits.OK
    command, rest = find(argv)
    if command is None:
        if argv[0] == "author" and (len(argv) == 1 or argv[1] in HELP):
            print(listing("author "))
            return exits.OK
        print(f"{listing().splitlines()[0]}\nnnkit: unknown command {' '.join(argv[:2])!r}: nnkit --help lists them",
              file=sys.stderr)
        return exits.CANNOT_CHECK
    module, function = command.target.split(":")
    # The course's own packages (assignments/, benchmarks/) live beside nnkit/, which an installed
    # `nnkit` finds without them: without this, the author's jobs saw no case of any assignment.
    from nnkit.kernel.config import COURSE_ROOT

    if str(COURSE_ROOT) not in sys.path:
        sys.path.insert(0, str(COURSE_ROOT))
    return getattr(importlib.import_module(module), function)([*command.prefix, *rest])


def main(argv: list[str] | None = None) -> None:
    """The `nnkit` executable ([project.scripts] of pyproject.toml): exits with the command's code."""
    from nnkit.gradebook.tools import put_tools_on_path

    put_tools_on_path()
    exits.run(lambda: dispatch(sys.argv[1:] if argv is None else list(argv)))
