"""The expected answer of each case: its assignment's reference, proven against PyTorch.

Each key (assignments/<name>/key/reference.py) names the reference of each graded function
(REFERENCES), torch float64's version (torch_reference) and further proofs (CROSS_CHECKS); each is
called with a case's arguments as the student's function is. `expected(case)` must agree with
torch within the case's tolerance, or the grader stops with KitError: the kit itself is wrong.
The grader never imports torch: `nnkit author references` stores torch's results in each key's
torch_results.npz with a digest of the inputs (a case whose inputs changed is refused), checks the
reference against them, and fails on a function torch answers on no case (a misspelled name).
"""
import importlib
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np

from nnkit.judging.compare import check_values, tolerance_for
from nnkit.kernel.codec import digest
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT
from nnkit.kernel.course_cases import CASES


class KitError(RuntimeError):
    """The kit's own references disagree: a bug in the kit, never the student's fault."""


@cache
def key(assignment: str) -> ModuleType:
    """An assignment's grader-side module, assignments/<assignment>/key/reference.py."""
    return importlib.import_module(f"assignments.{assignment}.key.reference")


def torch_results_path(assignment: str) -> Path:
    return COURSE_ROOT / "assignments" / assignment / "key" / "torch_results.npz"


def torch_reference(case_name: str, args: list):
    """torch float64's answer for a case's arguments (live torch), or None where torch has none: the
    key's `torch_reference(function, *args, **kwargs)`, called as the student's function is."""
    case = CASES[case_name]
    return case.apply(key(case.assignment).torch_reference, args, case.function)


def parts(answer) -> tuple:
    """An answer as a tuple of arrays: backward's (w_new, b_new), train's (w, b, losses) as they are,
    anything else as (answer,)."""
    return tuple(np.asarray(part) for part in answer) if isinstance(answer, tuple) else (np.asarray(answer),)


def live_torch_result(case_name: str, args: list):
    """torch's answer computed now, in the form it is stored in (a tuple of arrays), or None."""
    result = torch_reference(case_name, args)
    return None if result is None else parts(result)


def write_torch_results(assignment: str) -> Path:
    """Compute torch's result for every case of the assignment that has one; store it with the inputs' digest."""
    arrays = {}
    for name, case in CASES.items():
        if case.assignment == assignment:
            args = case.make_args()
            result = live_torch_result(name, args)
            if result is not None:
                arrays[f"{name}.digest"] = np.array(digest(args))
                arrays.update({f"{name}.{i}": part for i, part in enumerate(result)})
    path = torch_results_path(assignment)
    np.savez_compressed(path, **arrays)
    return path


@cache
def stored_torch_results(assignment: str) -> dict[str, tuple[str, tuple]]:
    """{case: (inputs' digest, torch's result as a tuple of arrays)} of an assignment."""
    path = torch_results_path(assignment)
    if not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.keys()}
    results = {}
    for name in {entry.rsplit(".", 1)[0] for entry in arrays}:
        result = tuple(arrays[f"{name}.{i}"] for i in range(len(arrays)) if f"{name}.{i}" in arrays)
        results[name] = (str(arrays[f"{name}.digest"]), result)
    return results


def stored_torch_result(case_name: str, args: list):
    """torch's stored result for a case (a tuple of arrays), or None where torch has none."""
    stored = stored_torch_results(CASES[case_name].assignment)
    if case_name not in stored:
        return None
    want_digest, result = stored[case_name]
    if digest(args) != want_digest:
        raise KitError(f"the stored torch result of case {case_name} is for other inputs: "
                       f"run `nnkit author references {CASES[case_name].assignment}` to recompute them")
    return result


@cache
def expected(case_name: str):
    """What a student's answer to a case is compared with (torch's stored result checks it)."""
    return checked_reference(case_name, stored_torch_result)


def checked_reference(case_name: str, torch_result: Callable[[str, list], tuple | None]):
    """The reference's answer to a case, checked against `torch_result(case, args)` (stored or
    live_torch_result) and the key's cross-checks; KitError when they disagree."""
    case = CASES[case_name]
    reference = key(case.assignment)
    args = case.make_args()
    answer = case.apply(reference.REFERENCES[case.function], args)
    cross_check = torch_result(case_name, args)
    if cross_check is not None:
        for ours, theirs in zip(parts(answer), cross_check, strict=True):
            tol = tolerance_for(np.asarray(ours).dtype)
            if not np.allclose(ours, theirs, rtol=tol.rtol, atol=tol.atol):
                raise KitError(f"the reference solution disagrees with torch on case {case_name}")
    problem = case.apply(getattr(reference, "CROSS_CHECKS", {}).get(case.function, lambda *a, **k: ""), args, answer)
    if problem:
        raise KitError(f"{problem} on case {case_name}")
    return answer


def check_of(case):
    """The comparison that judges a case: the default one, or the one the assignment's key names."""
    if case.check == "values":
        return check_values
    return key(case.assignment).CHECKS[case.check]


def without_torch(assignment: str) -> list[str]:
    """The graded functions of an assignment for which torch's version answered on none of their
    cases: a misspelled name in torch_reference (it returns None), or a function torch cannot check."""
    stored = stored_torch_results(assignment)
    functions = {c.function for c in CASES.values() if c.assignment == assignment}
    return sorted(f for f in functions if not any(c.name in stored for c in CASES.values()
                                                  if c.assignment == assignment and c.function == f))


def main(argv=None) -> int:
    from nnkit import exits
    from nnkit.kernel.config import LISTED, missing_parts

    parser = exits.command_parser("nnkit author references", "Rewrite torch's stored results of every case (needs "
                                  "torch), and check the references against them.",
                                  ok="written, and every reference agrees with torch",
                                  points_lost="torch's version of a graded function answers on no case "
                                              "(a misspelled name?)",
                                  cannot_check="a bad argument, or an assignment without a hidden-test case",
                                  kit_failure="a reference disagrees with torch or a cross-check (KitError), "
                                              "or a crash")
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help=f"default: all ({', '.join(ASSIGNMENTS)})")
    args = parser.parse_args(argv)
    if set(args.assignments) - set(LISTED):
        parser.error(f"not an assignment of course.toml: {', '.join(sorted(set(args.assignments) - set(LISTED)))}")
    for assignment in args.assignments:
        lacking = [part for part in missing_parts(assignment) if "/source/" not in f"/{part}"]
        if lacking:
            parser.error(f"{assignment} has no {', '.join(lacking)} yet")
    code = exits.OK
    for assignment in args.assignments or ASSIGNMENTS:
        if not any(c.assignment == assignment for c in CASES.values()):  # an empty proof would pass
            print(f"{assignment}: no hidden-test case found (assignments/{assignment}/cases.py): nothing to prove, "
                  f"nothing written", file=sys.stderr)
            code = exits.CANNOT_CHECK
            continue
        written = write_torch_results(assignment)
        print(
            f"wrote {written.relative_to(COURSE_ROOT) if written.is_relative_to(COURSE_ROOT) else written}",
            file=sys.stderr,
        )
        stored_torch_results.cache_clear()
        for case in (c for c in CASES.values() if c.assignment == assignment):
            expected(case.name)  # KitError when the reference disagrees with torch or a cross-check
        cases = [c for c in CASES.values() if c.assignment == assignment]
        checked = sum(c.name in stored_torch_results(assignment) for c in cases)
        print(f"{assignment}: the reference agrees with torch on the {checked} of its {len(cases)} cases torch answers")
        for function in without_torch(assignment):
            print(f"{assignment}: torch_reference returned None on every case of {function}: is its name spelled "
                  f"as in REFERENCES?", file=sys.stderr)
            code = exits.POINTS_LOST
    return code

