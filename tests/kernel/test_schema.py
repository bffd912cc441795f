"""The record's schema: a record reads back through it, and a malformed one is the student's."""
import json

import pytest

ASSIGNMENT = "activations"


def test_a_record_reads_back_through_its_schema_and_a_malformed_one_is_the_students():
    import importlib

    from nnkit.judging.judge import judge
    from nnkit.kernel import schema as records
    from nnkit.kernel.codec import Malformed
    from nnkit.kernel.course_cases import CASES
    from nnkit.kernel.record import run_case

    for name, case in CASES.items():
        key = importlib.import_module(f"assignments.{case.assignment}.key.solution")
        honest = json.loads(json.dumps(run_case(name, *[getattr(key, function) for function in case.functions])))
        parsed = records.parse(honest)
        assert isinstance(parsed, records.CallRecord) and records.as_data(parsed) == honest, name
    sent = records.as_data(records.Oversized("relu_mnist", 2**24))
    assert records.parse(sent) == records.Oversized("relu_mnist", 2**24) and records.case_of(sent) == "relu_mnist"
    assert records.parse(records.as_data(records.Repeated("relu_mnist"))) == records.Repeated("relu_mnist")
    honest = run_case("relu_mnist", lambda x: np_maximum(x))
    for broken, field in (
        ({**honest, "warnings": [{"category": "RuntimeWarning", "message": "x"}]}, "numeric"),
        ({**honest, "mutated": "x"}, "mutated"),
        ({**honest, "exception": ["x"]}, "exception"),
        ({**honest, "seconds": "fast"}, "seconds"),
        ({"case": "relu_mnist", "oversized": "big"}, "oversized"),
        ({"oversized": 1}, "case"),
    ):
        with pytest.raises(Malformed, match=field):
            records.parse(broken)
        verdict = judge(broken)
        assert not verdict.passed and not verdict.review, verdict  # the student's, never the kit's to review


def np_maximum(x):
    import numpy as np

    return np.maximum(x, 0)
