"""The benchmarks measure the right things: kernels times answers that agree with torch, and fairness
runs the hidden-test cells with the seed's code in the answer cells. Correctness only, no timing."""
import math
import re
import subprocess

import nbformat
import numpy as np
import pytest

from benchmarks import fairness, grading, kernels
from benchmarks import suite as bench
from benchmarks.sizes import SMALLEST
from nnkit import exits
from nnkit.collect.notebooks import defined_functions, reference_code
from nnkit.kernel.config import ASSIGNMENTS, COURSE_ROOT
from nnkit.kernel.course_cases import CASES
from nnkit.kernel.schema import MIME
from nnkit.testing import nbgrader_env, nnkit_command


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
    backward = {"workload": "conv1", "what": "64x1x28x28 conv backward", "dtype": "float32", "reference_ms": 3.0,
                "torch_ms": 2.0}
    text = kernels.format_block({"cpus": 2, "threads": 1, "torch_threads": 1, "numpy": "2", "torch": "2",
                                 "runs": 7, "loop_runs": 3, "rows": [row], "backward": [backward]})
    assert "CPUs (os.cpu_count()) 2" in text and "threads 1" in text and "median of 7" in text
    assert "2.00x" in text and "20x" in text
    assert re.search(r"^dconv1 .* 1\.50x$", text, re.M)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_backward_workloads_are_torch_autograds_gradients_and_a_wrong_one_is_refused(dtype):
    workloads = kernels.backward_workloads(n=2, dtype=dtype)
    assert [w.name for w in workloads] == ["relu1", "pool1", "conv1", "conv2"]
    for w in workloads:
        kernels.check_backward(w)  # raises when the reference is outside the grader's tolerance of torch
        assert [g.shape for g in w.reference()] == [tuple(t.shape) for t in w.autograd()]
    wrong = workloads[2]._replace(reference=lambda: tuple(g + 1e-3 for g in workloads[2].reference()))
    with pytest.raises(AssertionError, match="reference disagrees"):
        kernels.check_backward(wrong)


def test_the_loop_style_notebook_holds_the_catalogues_loop_versions_of_gradients():
    notebook = fairness.loops_notebook()
    answers = "\n".join(cell.source for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("solution"))
    for path in fairness.loop_variants():
        assert defined_functions(path.read_text())[path.stem.removesuffix("_loops")] in answers
    assert "conv_backward_loops.py" in [p.name for p in fairness.loop_variants()]


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


def test_the_before_row_checks_every_reference_against_live_torch_as_the_grader_does():
    """The fixed costs' "live torch (before)" row runs every case's reference through the grader's own
    check (references.checked_reference), with torch computed now instead of its stored results."""
    seconds = grading.python_seconds(grading.REFERENCES, "live", runs=1)
    assert seconds > 0


NUMBER = r"(-?\d+\.?\d*)"


def ratios(line: str) -> list[float]:
    return [float(x) for x in re.findall(NUMBER + r"x\b", line)]


def ratio(text: str, label: str) -> float:
    """The ratio measured on the row `label` (not its target)."""
    found = re.search(re.escape(label) + r"\s+" + NUMBER + r"x\b", text)
    assert found, label
    return float(found.group(1))


@pytest.mark.slow
@pytest.mark.long
def test_every_section_of_the_benchmark_prints_its_rows_at_its_smallest_size():
    """`nnkit bench --smallest` (1 student, 1 run, the shortest workloads) prints every section
    with every row measured and every ratio a finite number. It times nothing."""
    done = subprocess.run(nnkit_command("bench", "--smallest"), cwd=COURSE_ROOT, env=nbgrader_env(),
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == exits.OK, done.stdout + done.stderr[-3000:]
    check_every_row(done.stdout)


def check_every_row(out: str) -> None:
    """Every section of a benchmark run's output, in order, with every row measured."""
    assert "not measured" not in out
    titles = re.findall(r"^(\d+)\. ", out, re.M)
    assert titles == [str(n) for n in range(1, len(bench.sections(SMALLEST)) + 1)]
    section = dict(zip(titles, re.split(r"^\d+\. ", out, flags=re.M)[1:], strict=True))
    for line in out.splitlines():
        assert all(math.isfinite(r) and r >= 0 for r in ratios(line)), line
    one = section["1"]
    ratio(one, "ratio kit / floor")
    for a in ASSIGNMENTS:
        assert re.search(rf"^\s+{a}\s+{NUMBER} ->\s+{NUMBER} s$", one, re.M), a
    for row in grading.fixed_costs(1):
        assert re.search(re.escape(row.label) + rf"\s*{NUMBER} s$", one, re.M), row.label
    ratio(section["2"], "ratio sandboxed / not")
    assert re.search(rf"student-only cell run -> skipped:\s+{NUMBER} ->\s+{NUMBER} s", section["2"])
    ratio(section["3"], "speed-up J=2 / J=1")
    assert "gradebook after every run: consistent" in section["3"]
    table_rows = [line for line in section["4"].splitlines() if re.match(r"(conv|pool)\d ", line)]
    assert len(table_rows) == 2 * len(kernels.workloads(n=1)) * len(SMALLEST.threads)
    assert all(len(ratios(line)) == 2 for line in table_rows)
    graded = sum(fairness.is_graded(cell) for cell in fairness.seed_notebook().cells)
    loops = sum(fairness.is_graded(cell) for cell in fairness.loops_notebook().cells)
    assert section["5"].count("worst cell") == 3
    assert len(re.findall(r"^  test_\w+\s+" + NUMBER, section["5"], re.M)) == 2 * graded + loops
    backward_rows = [line for line in section["4"].splitlines() if re.match(r"d(conv|pool|relu)\d ", line)]
    assert len(backward_rows) == 2 * len(kernels.backward_workloads(n=1)) * len(SMALLEST.threads)
    assert all(len(ratios(line)) == 1 for line in backward_rows)
    ratio(section["6"], "ratio hog / alone")
    assert re.search(r"per-process limits only.*ratio " + NUMBER + "x", section["6"])
    ratio(section["7"], "ratio with / without")



def test_only_picks_sections_by_name_in_the_suites_order():
    """`nnkit bench --only`: the named sections, in the order of a full run, none measured yet."""
    picked = bench.sections(SMALLEST, ["neighbours", "kernels"])
    assert [section.__name__ for section in picked] == ["section", "fairness", "cost"]
    assert len(bench.sections(SMALLEST)) == len(picked) + len(bench.sections(SMALLEST, ["grading", "fairness"]))
