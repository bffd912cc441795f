"""The benchmarks measure the right things: kernels times answers that agree with torch, and fairness
runs the hidden-test cells with the seed's code in the answer cells. Correctness only, no timing."""
import re

import nbformat
import numpy as np
import pytest

from benchmarks import fairness, kernels
from nnkit.kernel.cases import CASES
from nnkit.kernel.schema import MIME
from nnkit.collect.notebooks import defined_functions, reference_code


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kernel_workloads_agree_with_torch_at_small_size(dtype):
    for w in kernels.workloads(n=2, dtype=dtype):
        want = w.torch().numpy()
        assert w.fast().dtype == want.dtype == dtype
        tolerance = 1e-12 if dtype == np.float64 else 1e-5
        np.testing.assert_allclose(w.fast(), want, rtol=tolerance, atol=tolerance)
        np.testing.assert_allclose(w.loop(), want, rtol=tolerance, atol=tolerance)
        kernels.check(w)  # raises when an answer is outside the grader's tolerance of torch


def test_kernels_refuses_to_time_a_wrong_answer():
    w = kernels.workloads(n=1)[0]
    wrong = w._replace(fast=lambda: w.fast() + 1e-3)
    with pytest.raises(AssertionError, match="fast version disagrees"):
        kernels.check(wrong)


def test_kernels_report_block_names_its_conditions():
    row = {"workload": "conv1", "what": "64x1x28x28", "dtype": "float32", "max_abs_error": 0.0,
           "fast_ms": 2.0, "torch_ms": 1.0, "loop_ms": 40.0}
    text = kernels.format_block({"cpus": 2, "threads": 1, "torch_threads": 1, "numpy": "2", "torch": "2",
                                 "runs": 7, "loop_runs": 3, "rows": [row]})
    assert "CPUs (os.cpu_count()) 2" in text and "threads 1" in text and "median of 7" in text
    assert "2.00x" in text and "20x" in text


@pytest.mark.parametrize("which", ["seed", "reference"])
def test_fairness_notebook_grades_exactly_the_hidden_tests_and_holds_the_code_under_test(which):
    notebook = fairness.seed_notebook() if which == "seed" else fairness.reference_notebook()
    code = (defined_functions(fairness.SEED.read_text()) if which == "seed" else reference_code("convolution"))
    graded = [cell for cell in notebook.cells if fairness.is_graded(cell)]
    hidden = [cell for cell in notebook.cells if "### BEGIN HIDDEN TESTS" in cell.source]
    assert graded == hidden and len(graded) == 10
    cases = [re.search(r'record\("(\w+)", (\w+)\)', cell.source).groups() for cell in graded]
    assert all(CASES[case].function == function for case, function in cases)
    answers = [cell.source for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("solution")]
    for name in ("max_pooling", "conv"):
        assert sum(code[name] in answer for answer in answers) == 1
    assert not any("### BEGIN SOLUTION" in answer for answer in answers)


def test_fairness_reads_cell_and_case_times_from_an_executed_cell():
    cell = nbformat.v4.new_code_cell('record("conv_single", conv)')
    cell.metadata = {"nbgrader": {"grade": True, "grade_id": "test_conv_single", "points": 1},
                     "execution": {"iopub.execute_input": "2025-01-01T00:00:00.250000Z",
                                   "shell.execute_reply": "2025-01-01T00:00:01.500000Z"}}
    cell.outputs = [nbformat.v4.new_output("display_data", data={MIME: {"case": "conv_single", "seconds": 0.75,
                                                                         "exception": None}})]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), cell])
    assert fairness.timings(notebook) == [fairness.CellTime("test_conv_single", 1.25, "conv_single", 0.75, "")]
