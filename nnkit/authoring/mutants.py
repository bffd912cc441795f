"""The mutation report of the hidden tests: do they catch wrong code?

    python -m nnkit.authoring.mutants [ASSIGNMENT ...] [--operators core/Replace...] [--jobs J] [--json]  (make mutants)

Each assignment's `key/solution.py`, mutated by cosmic-ray's operators in memory, plays the student
(STUDENT_VIEWS says which function stands for each graded one) and is judged by the hidden cases
exactly as a student's answer is, in a forked child with a time and a memory limit. Survivors are
listed for a new case or an entry in `key/equivalent_mutants.toml`; timeouts, deaths and harness
errors are counted apart. What it found, and why cosmic-ray: docs/contributors.md (The mutation report).
"""
import argparse
import difflib
import json
import os
import resource
import signal
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

MUTANT_SECONDS = 20  # per mutant, all its cases; the slowest honest run takes well under 1 s
MUTANT_MEMORY = 2 * 2**30  # address space a mutant may add to what its parent had mapped


@dataclass(frozen=True)
class Mutant:
    assignment: str
    function: str | None  # the function the mutation is in (None: module level)
    operator: str
    occurrence: int
    line: int
    before: str
    after: str

    @property
    def key(self) -> tuple:
        return (self.function or "", self.operator, self.before, self.after)

    def describe(self, path: str) -> str:
        return (f"{path}:{self.line}: {self.function or '(module)'}: {self.operator}\n"
                f"      - {self.before}\n      + {self.after}")


@dataclass(frozen=True)
class Fate:
    """What became of one mutant: KILLED by a case (`detail`: which), SURVIVED every case, TIMEOUT,
    DIED (its child, by a signal or an exit status: `detail`), HARNESS_ERROR (the judging failed)."""
    kind: str
    detail: str = ""

    def as_text(self) -> str:
        return json.dumps({"kind": self.kind, "detail": self.detail})

    @classmethod
    def from_text(cls, text: str) -> "Fate":
        data = json.loads(text)
        return cls(data["kind"], data["detail"])


KILLED, SURVIVED, TIMEOUT, DIED, HARNESS_ERROR = "killed", "survived", "timeout", "died", "harness_error"


@dataclass
class Report:
    assignment: str
    mutants: int = 0
    killed: int = 0  # by a case
    timeouts: int = 0
    deaths: int = 0
    harness_errors: list = field(default_factory=list)  # (mutant, what failed)
    equivalent: list = field(default_factory=list)
    survivors: list = field(default_factory=list)
    stale: list = field(default_factory=list)
    seconds: float = 0.0


def solution_path(assignment: str) -> Path:
    from nnkit.kernel.config import COURSE_ROOT

    return COURSE_ROOT / "assignments" / assignment / "key" / "solution.py"


def equivalents_path(assignment: str) -> Path:
    return solution_path(assignment).with_name("equivalent_mutants.toml")


def equivalents(assignment: str) -> list[dict]:
    """The assignment's equivalent mutants, one entry each: {function, operator, before, after,
    reason}. In the file, an entry names one mutation (`operator`, `after`) or, for several
    mutations of one line that are equivalent for one reason, lists them as
    `mutants = [[operator, after], ...]`."""
    path = equivalents_path(assignment)
    if not path.is_file():
        return []
    with open(path, "rb") as f:
        entries = tomllib.load(f).get("equivalent", [])
    expanded = []
    for entry in entries:
        common = {k: v for k, v in entry.items() if k != "mutants"}
        for operator, after in entry.get("mutants", [(entry.get("operator"), entry.get("after"))]):
            expanded.append({**common, "operator": operator, "after": after})
    return expanded


def mutants_of(assignment: str, operators: list[str] | None = None) -> list[tuple[Mutant, str]]:
    """Every (mutant, mutated source) cosmic-ray makes of the assignment's solution module, within
    the functions its student views use (and the module's own top-level statements)."""
    import cosmic_ray.plugins
    from cosmic_ray.ast import ast_nodes, get_ast
    from cosmic_ray.mutating import mutate_code

    from nnkit.judging.references import key

    source = solution_path(assignment).read_text()
    used = {name for view in key(assignment).STUDENT_VIEWS.values() for name in view.values()}
    lines = source.splitlines()
    module = get_ast(source)
    found = []
    for name in operators or cosmic_ray.plugins.operator_names():
        operator_class = cosmic_ray.plugins.get_operator(name)
        if operator_class.arguments():
            continue  # operators that need configuring (none of the core ones a NumPy answer needs)
        operator = operator_class()
        positions = [(node, start) for node in ast_nodes(module) for start, _ in operator.mutation_positions(node)]
        for occurrence, (node, start) in enumerate(positions):
            function = enclosing_function(node)
            if function is not None and function not in used:
                continue
            if in_annotation(node):
                continue
            mutated = mutate_code(source, operator, occurrence)
            if mutated is None:
                continue
            before, after, line = changed_line(lines, mutated.splitlines(), start[0])
            found.append((Mutant(assignment, function, name, occurrence, line, before, after), mutated))
    return found


def enclosing_function(node) -> str | None:
    """The name of the top-level function a parso node is in, or None at module level."""
    top = None
    while node is not None:
        if node.type == "funcdef":
            top = node.name.value
        node = node.parent
    return top


def in_annotation(node) -> bool:
    """Whether a parso node is part of a type annotation (mutating one changes no behaviour)."""
    while node is not None:
        if node.type in ("tfpdef", "annassign"):
            return True
        node = node.parent
    return False


def changed_line(before: list[str], after: list[str], near: int) -> tuple[str, str, int]:
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag != "equal":
            return (" ".join(line.strip() for line in before[i1:i2]) or "(nothing)",
                    " ".join(line.strip() for line in after[j1:j2]) or "(nothing)", i1 + 1)
    return before[near - 1].strip(), before[near - 1].strip(), near


def judge_mutants(assignment: str, mutants: list[tuple["Mutant", str]], jobs: int):
    """Yield (mutant, Fate) for each, the mutant playing the student against every hidden case
    of the assignment. Each mutant is judged in its own forked child, with a time and a memory
    limit, `jobs` children at a time."""
    waiting = list(mutants)
    running = {}  # pid: (mutant, the pipe it answers on, deadline)
    while waiting or running:
        while waiting and len(running) < jobs:
            mutant, mutated = waiting.pop(0)
            pid, pipe = spawn(assignment, mutated, mutant.function, [p for _, p, _ in running.values()])
            running[pid] = (mutant, pipe, time.monotonic() + MUTANT_SECONDS)
        for pid, (mutant, pipe, deadline) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if not done and time.monotonic() < deadline:
                continue
            if not done:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                verdict = Fate(TIMEOUT, f"the time limit ({MUTANT_SECONDS} s)")
            else:
                said = os.read(pipe, 4096).decode(errors="replace")
                verdict = Fate.from_text(said) if said else Fate(DIED, death(status))
            os.close(pipe)
            del running[pid]
            yield mutant, verdict
        time.sleep(0.002)


def death(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"the child died of signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"the child exited with status {os.waitstatus_to_exitcode(status)} before it answered"


def mapped_bytes() -> int:
    """This process's address space (what RLIMIT_AS counts), from /proc/self/statm."""
    return int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def spawn(assignment: str, mutated: str, function: str | None, others: list[int]) -> tuple[int, int]:
    """Fork a child that judges one mutant and writes its verdict (a few hundred bytes: the pipe
    holds it all, so the child never blocks) to a pipe; return (its pid, the pipe's read end)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: judge, answer, exit without cleaning up the parent's state
        for fd in (read, *others):
            os.close(fd)
        try:
            limit = mapped_bytes() + MUTANT_MEMORY  # a parent with torch loaded maps GiBs already
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            verdict = caught_by(assignment, mutated, function)
        except BaseException as error:  # noqa: BLE001 - the judging failed: the kit's, reported as such
            verdict = Fate(HARNESS_ERROR, f"{type(error).__name__}: {str(error)[:200]}")
        os.write(write, verdict.as_text().encode())
        os._exit(0)
    os.close(write)
    return pid, read


def caught_by(assignment: str, mutated: str, function: str | None) -> Fate:
    """The verdict of the hidden cases on a mutant. A module that fails to run, or lacks a function,
    is killed (a student's would score zero); an exception anywhere else is the harness's, and
    propagates."""
    from nnkit.judging.judge import judge
    from nnkit.judging.references import key
    from nnkit.kernel.course_cases import CASES
    from nnkit.kernel.record import run_case

    namespace = {"__name__": f"mutant_of_{assignment}"}
    try:
        exec(compile(mutated, str(solution_path(assignment)), "exec"), namespace)
    except BaseException as error:  # noqa: BLE001 - whatever the mutant's module raises kills it
        return Fate(KILLED, f"the module fails: {type(error).__name__}")
    for view_name, view in key(assignment).STUDENT_VIEWS.items():
        if function is not None and function not in view.values():
            continue
        cases = sorted((c for c in CASES.values() if c.assignment == assignment and set(c.functions) <= set(view)),
                       key=lambda c: view.get(c.function) != function)  # the mutated function's cases first
        for case in cases:
            if any(view[f] not in namespace for f in case.functions):
                return Fate(KILLED, f"the module lacks a function of {case.name}")
            functions = [namespace[view[f]] for f in case.functions]
            if not judge(run_case(case.name, *functions)).passed:
                return Fate(KILLED, f"{case.name} ({view_name})")
    return Fate(SURVIVED)


def warm(assignment: str) -> None:
    """Compute each case's reference and inputs' digest once, before the children are forked: they
    inherit them instead of computing them per mutant."""
    from nnkit.judging.judge import case_digest
    from nnkit.judging.references import expected
    from nnkit.kernel.course_cases import CASES

    for case in CASES.values():
        if case.assignment == assignment:
            expected(case.name), case_digest(case.name), case.make_args()


def report(assignment: str, operators: list[str] | None = None, jobs: int = os.cpu_count() or 1) -> Report:
    start = time.perf_counter()
    warm(assignment)
    result = Report(assignment)
    listed = {(e.get("function", ""), e["operator"], e["before"], e["after"]): e for e in equivalents(assignment)}
    matched = set()
    for mutant, verdict in judge_mutants(assignment, mutants_of(assignment, operators), jobs):
        result.mutants += 1
        if verdict.kind == KILLED:
            result.killed += 1
        elif verdict.kind == TIMEOUT:
            result.timeouts += 1
        elif verdict.kind == DIED:
            result.deaths += 1
        elif verdict.kind != SURVIVED:
            result.harness_errors.append((mutant, verdict.detail))
        elif mutant.key in listed:
            result.equivalent.append((mutant, listed[mutant.key].get("reason", "")))
            matched.add(mutant.key)
        else:
            result.survivors.append(mutant)
    result.stale = [entry for k, entry in listed.items() if k not in matched and operators is None]
    result.seconds = time.perf_counter() - start
    return result


def render(result: Report) -> str:
    from nnkit.kernel.config import COURSE_ROOT

    path = str(solution_path(result.assignment).relative_to(COURSE_ROOT))
    lines = [f"{result.assignment}: {result.mutants} mutants, {result.killed} killed by a case, "
             f"{result.timeouts} out of time, {result.deaths} died, {len(result.harness_errors)} harness errors, "
             f"{len(result.equivalent)} equivalent, {len(result.survivors)} survived, in {result.seconds:.0f} s"]
    lines += (
        ["  harness errors (the kit failed judging these mutants, not the hidden tests):"]
        if result.harness_errors
        else []
    )
    lines += [f"    {m.describe(path)}\n      {detail}" for m, detail in result.harness_errors]
    lines += ["  survived (add a case that catches it, or mark it equivalent in "
              f"{equivalents_path(result.assignment).relative_to(COURSE_ROOT)}):"] if result.survivors else []
    lines += [f"    {m.describe(path)}" for m in result.survivors]
    lines += ["  stale entries of the equivalents file (no surviving mutant matches them):"] if result.stale else []
    lines += [f"    {e.get('function')}: {e['operator']}: {e['before']} -> {e['after']}" for e in result.stale]
    return "\n".join(lines)


def main(argv=None) -> int:
    from nnkit.kernel.config import ASSIGNMENTS

    parser = argparse.ArgumentParser(prog="python -m nnkit.authoring.mutants", description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help=f"default: all ({', '.join(ASSIGNMENTS)})")
    parser.add_argument("--operators", nargs="+", metavar="NAME", help="only these cosmic-ray operators")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="mutants judged at once (default: one per core)"
    )
    parser.add_argument("--json", action="store_true", help="the counts as JSON")
    args = parser.parse_args(argv)
    unknown = set(args.assignments) - set(ASSIGNMENTS)
    if unknown:
        parser.error(f"not an assignment of this course: {', '.join(sorted(unknown))}")
    results = [report(a, args.operators, args.jobs) for a in args.assignments or ASSIGNMENTS]
    if args.json:
        print(json.dumps([{"assignment": r.assignment, "mutants": r.mutants, "killed": r.killed,
                           "timeouts": r.timeouts, "deaths": r.deaths, "harness_errors": len(r.harness_errors),
                           "equivalent": len(r.equivalent), "survived": len(r.survivors), "stale": len(r.stale),
                           "seconds": round(r.seconds, 1)} for r in results], indent=1))
    else:
        print("\n\n".join(render(r) for r in results))
    return exit_code(results)


def exit_code(results: list[Report]) -> int:
    from nnkit import exits

    if any(r.harness_errors for r in results):
        return exits.KIT_FAILURE
    return exits.POINTS_LOST if any(r.survivors or r.stale for r in results) else exits.OK


if __name__ == "__main__":
    from nnkit import exits
    from nnkit.kernel.limits import THREAD_VARIABLES

    for name in THREAD_VARIABLES:  # one thread per forked child: --jobs of them share the cores
        os.environ.setdefault(name, "1")
    exits.run(main)
