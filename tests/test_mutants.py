"""The mutation report (nnkit.mutants): every mutant of every reference solution is caught by the
hidden cases or listed as equivalent with a reason; and the report does fail when a case that
catches wrong code is missing, or an equivalent entry matches nothing."""
import pytest

from nnkit import mutants
from nnkit.cases import CASES
from nnkit.config import ASSIGNMENTS


@pytest.mark.slow  # every mutant of every assignment
def test_no_mutant_of_any_assignment_survives_unexplained(capsys):
    status = mutants.main(["--json"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert all(f'"assignment": "{a}"' in out for a in ASSIGNMENTS)


def test_every_equivalent_entry_gives_its_reason():
    for assignment in ASSIGNMENTS:
        for entry in mutants.equivalents(assignment):
            assert {"function", "operator", "before", "after", "reason"} <= set(entry), entry
            assert len(entry["reason"]) > 20, entry


def test_without_the_case_of_exact_0_and_1_a_gradient_that_forgets_the_clip_survives(monkeypatch):
    monkeypatch.delitem(CASES, "cross_entropy_grad_small")
    result = mutants.report("backprop", operators=["core/ReplaceBinaryOperator_Sub_Add"])
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
