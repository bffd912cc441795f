"""How fast the grader's reference convolution and max pooling are, next to torch.nn.functional.

Measured: assignments/convolution/key/solution.py's vectorized `conv_fast` / `max_pooling_fast` against
F.conv2d / F.max_pool2d on the CPU, on the layers of a small MNIST network, float64 and float32
(shown for the full run's batch of 64 digits, benchmarks.sizes):

    conv1  64 real MNIST digits 64x1x28x28, 8 kernels 1x3x3, stride 1, padding 1
    pool1  max pool 2x2 stride 2 of relu(conv1), 64x8x28x28
    conv2  pool1's output 64x8x14x14, 16 kernels 8x3x3, stride 1, padding 1
    pool2  max pool 2x2 stride 2 of relu(conv2), 64x16x14x14

and the loop versions students write (`conv`, `max_pooling`), to show what vectorizing buys.
Kernels and biases come from np.random.default_rng(0). Then the backward passes of the same layers
(relu1 on conv1's output): assignments/gradients/key's references against torch.autograd.grad
through the same torch layer (its graph built once, outside the timing), at the same thread count;
each upstream gradient is random, of the layer's output shape.

How: for each thread count T, a fresh Python process with OMP_NUM_THREADS, OPENBLAS_NUM_THREADS
and MKL_NUM_THREADS set to T (numpy's BLAS reads them only at import) calls
torch.set_num_threads(T), times every call with time.perf_counter (one warm-up, then the median
of `runs` calls; the loop versions, being slow, get at most 3), and prints JSON for this process
to format. Before timing, each answer is checked against torch within the grader's own tolerance
(nnkit.judging.compare), so a wrong answer cannot be timed. Nothing here asserts a time: these
machines are shared and noisy, read the numbers as rough.

    nnkit bench --only kernels [--runs N]
"""
import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np

from benchmarks.rows import Row
from benchmarks.sizes import FULL, Size
from nnkit import exits
from nnkit.kernel.config import COURSE_ROOT
from nnkit.kernel.limits import THREAD_VARIABLES

LOOP_RUNS = 3


class Workload(NamedTuple):
    name: str
    what: str
    fast: Callable[[], np.ndarray]  # the key's vectorized reference
    loop: Callable[[], np.ndarray]  # the key's loop version, as students write it
    torch: Callable[[], object]  # torch.nn.functional on the same arrays (returns a tensor)


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


def workloads(n: int = FULL.batch, dtype=np.float64) -> list[Workload]:
    """The four layers on n real MNIST digits, in `dtype`; each input is the previous layer's output."""
    import torch
    import torch.nn.functional as F

    from assignments.convolution.key import solution as C
    from nnkit.kernel.inputs import digit_batch

    g = np.random.default_rng(0)
    k1, b1 = g.standard_normal((8, 1, 3, 3)).astype(dtype), g.standard_normal(8).astype(dtype)
    k2, b2 = g.standard_normal((16, 8, 3, 3)).astype(dtype), g.standard_normal(16).astype(dtype)
    x1 = digit_batch(n).astype(dtype)
    a1 = relu(C.conv_fast(x1, k1, b1, 1, 1))
    x2 = C.max_pooling_fast(a1, 2, 2)
    a2 = relu(C.conv_fast(x2, k2, b2, 1, 1))
    t = torch.from_numpy  # shares memory: no copy inside the timed calls

    def conv(name, x, k, b):
        return Workload(name, f"{'x'.join(map(str, x.shape))} * {k.shape[0]}x{'x'.join(map(str, k.shape[1:]))} s1 p1",
                        lambda: C.conv_fast(x, k, b, 1, 1), lambda: C.conv(x, k, b, 1, 1),
                        lambda: F.conv2d(t(x), t(k), t(b), stride=1, padding=1))

    def pool(name, x):
        return Workload(name, f"{'x'.join(map(str, x.shape))} max 2x2 s2",
                        lambda: C.max_pooling_fast(x, 2, 2), lambda: C.max_pooling(x, 2, 2),
                        lambda: F.max_pool2d(t(x), 2, 2))

    return [conv("conv1", x1, k1, b1), pool("pool1", a1), conv("conv2", x2, k2, b2), pool("pool2", a2)]


class Backward(NamedTuple):
    name: str
    what: str
    reference: Callable[[], tuple]  # the gradients key's reference: its answer as a tuple of arrays
    autograd: Callable[[], tuple]  # torch.autograd.grad through the same layer, graph built beforehand
    want: Callable[[], tuple]  # torch's float64 gradients of the same layer: what `reference` must give


def backward_workloads(n: int = FULL.batch, dtype=np.float64) -> list[Backward]:
    """The backward passes of relu1, pool1, conv1 and conv2 on the layers' inputs of `workloads`."""
    import torch
    import torch.nn.functional as F

    from assignments.convolution.key import solution as C
    from assignments.gradients.key.reference import REFERENCES
    from nnkit.kernel.inputs import digit_batch

    g = np.random.default_rng(0)
    k1, b1 = g.standard_normal((8, 1, 3, 3)).astype(dtype), g.standard_normal(8).astype(dtype)
    k2, b2 = g.standard_normal((16, 8, 3, 3)).astype(dtype), g.standard_normal(16).astype(dtype)
    x1 = digit_batch(n).astype(dtype)
    z1 = C.conv_fast(x1, k1, b1, 1, 1)
    a1 = relu(z1)
    x2 = C.max_pooling_fast(a1, 2, 2)

    def layer(name, function, op, tensors, options):
        """function's reference on (dout, *tensors, *options) against autograd through op(*tensors, *options)."""
        def graph(values):
            leaves = [torch.tensor(v, requires_grad=True) for v in values]
            return leaves, op(*leaves, *options)

        leaves, out = graph(tensors)
        dout = g.standard_normal(tuple(out.shape)).astype(dtype)
        what = f"{'x'.join(map(str, tensors[0].shape))} {name.rstrip('12')} backward"

        def want():
            leaves64, out64 = graph([t.astype(np.float64) for t in tensors])
            grads = torch.autograd.grad(out64, leaves64, torch.tensor(dout, dtype=torch.float64))
            return tuple(t.numpy() for t in grads)

        def reference():
            answer = REFERENCES[function](dout, *tensors, *options)
            return answer if isinstance(answer, tuple) else (answer,)

        return Backward(name, what, reference,
                        lambda: torch.autograd.grad(out, leaves, torch.from_numpy(dout), retain_graph=True), want)

    return [layer("relu1", "relu_backward", F.relu, [z1], ()),
            layer("pool1", "max_pooling_backward", F.max_pool2d, [a1], (2, 2)),
            layer("conv1", "conv_backward", F.conv2d, [x1, k1, b1], (1, 1)),
            layer("conv2", "conv_backward", F.conv2d, [x2, k2, b2], (1, 1))]


def check_backward(workload: Backward) -> None:
    """Raises if the reference's gradients are not torch float64's within the grader's tolerance."""
    from nnkit.judging.compare import tolerance_for

    for got, want in zip(workload.reference(), workload.want(), strict=True):
        tol = tolerance_for(got.dtype)
        if got.shape != want.shape or not np.allclose(got, want, tol.rtol, tol.atol):
            raise AssertionError(f"{workload.name} backward {got.dtype}: the reference disagrees with torch")


def check(workload: Workload) -> float:
    """The largest |fast - torch|; raises if fast or loop is outside the grader's tolerance of torch."""
    from nnkit.judging.compare import tolerance_for

    want = workload.torch().numpy()
    tol = tolerance_for(want.dtype)
    for version, got in (("fast", workload.fast()), ("loop", workload.loop())):
        if got.shape != want.shape or got.dtype != want.dtype or not np.allclose(got, want, tol.rtol, tol.atol):
            raise AssertionError(f"{workload.name} {want.dtype}: the {version} version disagrees with torch")
    return float(np.max(np.abs(workload.fast() - want)))


def median_ms(function: Callable, runs: int) -> float:
    function()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def measure(threads: int, runs: int, batch: int) -> dict:
    """Run in the child process, whose environment already limits the BLAS threads."""
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError:  # only allowed before any inter-op parallel work; harmless here
        pass
    rows = []
    for dtype in (np.float64, np.float32):
        for w in workloads(batch, dtype):
            max_error = check(w)
            rows.append({"workload": w.name, "what": w.what, "dtype": np.dtype(dtype).name, "max_abs_error": max_error,
                         "fast_ms": median_ms(w.fast, runs), "torch_ms": median_ms(w.torch, runs),
                         "loop_ms": median_ms(w.loop, min(runs, LOOP_RUNS))})
    backward = []
    for dtype in (np.float64, np.float32):
        for w in backward_workloads(batch, dtype):
            check_backward(w)
            backward.append({"workload": w.name, "what": w.what, "dtype": np.dtype(dtype).name,
                             "reference_ms": median_ms(w.reference, runs), "torch_ms": median_ms(w.autograd, runs)})
    return {"cpus": os.cpu_count(), "threads": threads, "torch_threads": torch.get_num_threads(),
            "numpy": np.__version__, "torch": torch.__version__.split("+")[0], "runs": runs,
            "loop_runs": min(runs, LOOP_RUNS), "rows": rows, "backward": backward}


def run_child(threads: int, runs: int, batch: int) -> dict:
    env = dict(os.environ, **{name: str(threads) for name in THREAD_VARIABLES})
    env["PYTHONPATH"] = os.pathsep.join(
        [str(COURSE_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    done = subprocess.run([sys.executable, "-m", "benchmarks.kernels", "--measure", str(threads), "--runs", str(runs),
                           "--batch", str(batch)],
                          cwd=COURSE_ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the {threads}-thread measurement failed:\n{done.stderr}")  # its last line is shown
    return json.loads(done.stdout)


def format_block(result: dict) -> str:
    lines = [f"CPUs (os.cpu_count()) {result['cpus']} | threads {result['threads']} (numpy BLAS env, torch "
             f"{result['torch_threads']}) | numpy {result['numpy']} | torch {result['torch']} | "
             f"median of {result['runs']} runs after 1 warm-up (loop versions: {result['loop_runs']})",
             f"{'layer':6} {'input':29} {'dtype':8} {'fast ms':>8} {'torch ms':>9} {'fast/torch':>10} "
             f"{'loop ms':>9} {'loop/fast':>9}"]
    for r in result["rows"]:
        lines.append(f"{r['workload']:6} {r['what']:29} {r['dtype']:8} {r['fast_ms']:8.3f} {r['torch_ms']:9.3f} "
                     f"{r['fast_ms'] / r['torch_ms']:9.2f}x {r['loop_ms']:9.1f} {r['loop_ms'] / r['fast_ms']:8.0f}x")
    lines.append(f"{'backward':8} {'of':27} {'dtype':8} {'ref ms':>8} {'autograd':>9} {'ref/torch':>10}")
    for r in result["backward"]:
        lines.append(f"{'d' + r['workload']:8} {r['what']:27} {r['dtype']:8} {r['reference_ms']:8.3f} "
                     f"{r['torch_ms']:9.3f} "
                     f"{r['reference_ms'] / r['torch_ms']:9.2f}x")
    return "\n".join(lines)


def section(size: Size = FULL) -> Iterator[str | Row]:
    """Section 4: a block per thread count, each measured in a process of its own."""
    yield ("4. Reference conv / max pooling (the convolution key's *_fast) vs torch.nn.functional on CPU, and the "
           f"gradients key's backward passes vs torch.autograd, MNIST batch of {size.batch}; all answers checked "
           "against torch first")
    for t in size.threads:
        yield Row(f"   {t} thread{'s' if t > 1 else ''}:", lambda t=t: run_child(t, size.kernel_runs, size.batch),
                  lambda result: "\n" + format_block(result))


def main(argv=None) -> int:
    """The child process of one thread count (run_child): measure, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=FULL.kernel_runs)
    parser.add_argument("--batch", type=int, default=FULL.batch)
    parser.add_argument("--measure", type=int, required=True, help="the thread count")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.measure, args.runs, args.batch)))
    return exits.OK


if __name__ == "__main__":
    exits.run(main)
