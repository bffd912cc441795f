"""The mutation report (nnkit.authoring.mutants): every mutant of every reference solution is caught by the
hidden cases or listed as equivalent with a reason; and the report does fail when a case that
catches wrong code is missing, or an equivalent entry matches nothing."""
import json
import signal

import pytest

from nnkit import exits
from nnkit.authoring import mutants
from nnkit.kernel.config import ASSIGNMENTS
from nnkit.kernel.course_cases import CASES

ASSIGNMENT = "activations"


@pytest.mark.slow  # every mutant of every assignment
def test_no_mutant_of_any_assignment_survives_unexplained(capsys):
    """Every mutant is killed by a case or listed as equivalent: none survived, none timed out, died
    or failed the harness (none of which is a kill), and the counts add up to the mutants made."""
    status = mutants.main(["--json"])
    out = capsys.readouterr().out
    assert status == exits.OK, out
    counts = {r["assignment"]: r for r in json.loads(out)}
    assert sorted(counts) == sorted(ASSIGNMENTS)
    for r in counts.values():
        assert r["mutants"] > 0 and r["killed"] + r["equivalent"] == r["mutants"], r
        assert r["timeouts"] == r["deaths"] == r["harness_errors"] == r["survived"] == r["stale"] == 0, r


VERDICTS = [mutants.Fate(mutants.KILLED, "relu_mnist (student)"), mutants.Fate(mutants.SURVIVED),
            mutants.Fate(mutants.TIMEOUT, "the time limit"), mutants.Fate(mutants.DIED, "signal SIGSEGV"),
            mutants.Fate(mutants.HARNESS_ERROR, "RuntimeError: the judge's own bug")]


def test_only_a_case_kills_a_mutant_the_rest_are_counted_apart(monkeypatch, capsys):
    """One mutant of each verdict (the children stood in for): the report counts one kill, and a
    timeout, a death and a harness error each apart, never as kills; a harness error fails the run."""
    made = [(mutants.Mutant("activations", "relu", f"test/{v.kind}", 0, 1, "before", v.kind), "") for v in VERDICTS]
    monkeypatch.setattr(mutants, "mutants_of", lambda assignment, operators=None: made)
    monkeypatch.setattr(
        mutants, "judge_mutants", lambda assignment, given, jobs: zip([m for m, _ in given], VERDICTS, strict=True)
    )
    result = mutants.report("activations", ["test"], jobs=1)
    assert (result.mutants, result.killed, result.timeouts, result.deaths) == (5, 1, 1, 1)
    assert [m.operator for m, _ in result.harness_errors] == [f"test/{mutants.HARNESS_ERROR}"]
    assert [m.operator for m in result.survivors] == [f"test/{mutants.SURVIVED}"]
    assert mutants.main(["activations", "--operators", "test", "--json"]) == exits.KIT_FAILURE
    (counted,) = json.loads(capsys.readouterr().out)
    assert (counted["killed"], counted["timeouts"], counted["deaths"], counted["harness_errors"]) == (1, 1, 1, 1)


def test_every_equivalent_entry_gives_its_reason():
    for assignment in ASSIGNMENTS:
        for entry in mutants.equivalents(assignment):
            assert {"function", "operator", "before", "after", "reason"} <= set(entry), entry
            assert len(entry["reason"]) > 20, entry


def test_without_the_case_of_exact_0_and_1_a_gradient_that_forgets_the_clip_survives():
    kept = dict(CASES)  # put back in course order after (monkeypatch.delitem would put the case back last)
    try:
        del CASES["cross_entropy_grad_small"]
        result = mutants.report("backprop", operators=["core/ReplaceBinaryOperator_Sub_Add"])
    finally:
        CASES.clear()
        CASES.update(kept)
    survivors = [(m.function, m.after) for m in result.survivors]
    assert ("cross_entropy_grad", "p = np.clip(p, EPS, 1 + EPS)") in survivors, survivors
    assert "1 + EPS" in mutants.render(result)


@pytest.mark.slow  # every mutant of an assignment
def test_an_equivalent_entry_that_matches_no_survivor_is_stale(monkeypatch, capsys):
    bogus = {"function": "relu", "operator": "core/NumberReplacer", "before": "return np.maximum(x, 0)",
             "after": "return np.maximum(x, 1)", "reason": "not equivalent at all: relu(0.5) would be 1"}
    real = mutants.equivalents
    monkeypatch.setattr(mutants, "equivalents", lambda a: real(a) + ([bogus] if a == "activations" else []))
    assert mutants.main(["activations"]) == 1
    assert "stale" in capsys.readouterr().out


def test_a_mutant_that_loops_forever_is_stopped_by_the_time_limit(monkeypatch):
    monkeypatch.setattr(mutants, "MUTANT_SECONDS", 1)
    looping = mutants.Mutant("activations", "relu", "test/loop", 0, 1, "", "")
    source = mutants.solution_path("activations").read_text() + "\n\ndef relu(x):\n    while True:\n        pass\n"
    ((mutant, verdict),) = mutants.judge_mutants("activations", [(looping, source)], jobs=1)
    assert mutant is looping and verdict.kind == mutants.TIMEOUT and "time limit" in verdict.detail


def test_an_unknown_assignment_is_refused():
    with pytest.raises(SystemExit):
        mutants.main(["softmax_not_here"])


def test_an_exception_of_the_judging_is_a_harness_error_not_a_kill(monkeypatch):
    """The hidden cases' judge itself failing (not the mutant's code) is the kit's error."""
    import nnkit.judging.judge

    def broken_judge(*_):
        raise RuntimeError("the judge's own bug")

    monkeypatch.setattr(nnkit.judging.judge, "judge", broken_judge)  # the forked child inherits it
    unchanged = mutants.Mutant("activations", "relu", "test/none", 0, 1, "", "")
    source = mutants.solution_path("activations").read_text()
    ((_, verdict),) = mutants.judge_mutants("activations", [(unchanged, source)], jobs=1)
    assert verdict.kind == mutants.HARNESS_ERROR and "the judge's own bug" in verdict.detail, verdict


# --- the mutation report: harness errors, deaths and timeouts apart from kills ----------------------

def test_a_harness_error_is_not_a_kill_and_fails_the_run(monkeypatch, capsys):
    import nnkit.judging.judge

    def broken_judge(*_):
        raise RuntimeError("the judge's own bug")

    monkeypatch.setattr(nnkit.judging.judge, "judge", broken_judge)  # the forked children inherit it
    operators = ["core/ReplaceBinaryOperator_Sub_Add"]
    result = mutants.report(ASSIGNMENT, operators, jobs=1)
    assert result.mutants > 0 and result.killed == 0 and len(result.harness_errors) == result.mutants
    assert "the judge's own bug" in mutants.render(result)
    assert mutants.main([ASSIGNMENT, "--operators", *operators, "--jobs", "1"]) == exits.KIT_FAILURE
    assert "harness errors" in capsys.readouterr().out


@pytest.mark.slow
def test_timeouts_and_deaths_are_counted_apart_from_kills(monkeypatch):
    monkeypatch.setattr(mutants, "MUTANT_SECONDS", 10)
    source = mutants.solution_path(ASSIGNMENT).read_text()
    looping = source + "\n\ndef relu(x):\n    while True:\n        pass\n"
    dying = source + "\n\ndef relu(x):\n    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n"
    made = [(mutants.Mutant(ASSIGNMENT, "relu", f"test/{name}", 0, 1, name, name), text)
            for name, text in (("loop", looping), ("die", dying))]
    monkeypatch.setattr(mutants, "mutants_of", lambda assignment, operators=None: made)
    result = mutants.report(ASSIGNMENT, ["test"], jobs=2)
    assert (result.mutants, result.killed, result.timeouts, result.deaths, result.harness_errors) == (2, 0, 1, 1, [])
    verdicts = dict((m.operator, v) for m, v in mutants.judge_mutants(ASSIGNMENT, made, jobs=2))
    assert verdicts["test/die"].detail == f"the child died of signal {signal.SIGKILL.name}"
