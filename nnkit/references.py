"""The expected answer of each case: the `solutions` modules, cross-checked against PyTorch.

`expected(case)` is what a student's answer is compared with. It comes from the reference
solutions; where PyTorch computes the same thing (float64, CPU), the two must agree within the
case's tolerance or the grader stops with KitError, since then the kit itself is wrong; the
reference gradient step of `backward` is also checked against finite differences.
Results are cached per process: a batch of submissions computes each reference once.

The grader does not import torch (~1.4 s per nbgrader run): torch's results for every case are
stored in TORCH_RESULTS, with a digest of the case's inputs, written by
`python -m nnkit.references`. tests/test_solutions.py recomputes them with live torch and
requires the stored ones to match; a case whose inputs changed since is refused (KitError).
"""
import sys
from functools import lru_cache

import numpy as np

from nnkit.cases import CASES
from nnkit.codec import digest
from nnkit.mnist import COURSE_ROOT
from nnkit.tolerance import tolerance_for
from solutions import activations, backprop, convolution

SOLUTIONS = {
    "sigmoid": activations.sigmoid,
    "relu": activations.relu,
    "cross_entropy": activations.cross_entropy,
    "max_pooling": convolution.max_pooling_fast,
    "conv": convolution.conv_fast,
    "forward": backprop.forward,
    "sigmoid_grad": backprop.sigmoid_grad,
    "cross_entropy_grad": backprop.cross_entropy_grad,
    "backward": backprop.backward,
    "train": backprop.train,
}


class KitError(RuntimeError):
    """The kit's own references disagree: a bug in the kit, never the student's fault."""


def torch_reference(function: str, args: list):
    """The same computation in torch float64 (autograd for gradients); None where torch has none."""
    import torch
    import torch.nn.functional as F

    def t(value, grad=False):
        return torch.tensor(np.asarray(value, dtype=np.float64), requires_grad=grad)

    values = [value for _, value in args]
    if function == "sigmoid":
        return torch.sigmoid(t(values[0])).numpy()
    if function == "relu":
        return F.relu(t(values[0])).numpy()
    if function == "cross_entropy":
        y, y_hat = values
        if np.all((y_hat >= activations.EPS) & (y_hat <= 1 - activations.EPS)):  # torch clamps log at -100 instead
            return F.binary_cross_entropy(t(y_hat), t(y)).item()
        return None
    if function == "max_pooling":
        x, k, s = values
        return F.max_pool2d(t(x), k, s).numpy()
    if function == "conv":
        x, kernel, bias, *rest = values
        stride, padding = (rest + [2, 1][len(rest):])[:2]
        return F.conv2d(t(x), t(kernel), t(bias), stride=stride, padding=padding).numpy()
    if function == "forward":
        x, w, b = values
        return (t(x) @ t(w) + t(b)).numpy()
    if function == "sigmoid_grad":
        z = t(values[0], grad=True)
        torch.sigmoid(z).sum().backward()
        return z.grad.numpy()
    if function == "cross_entropy_grad":
        y, p = values
        p = t(p, grad=True)
        F.binary_cross_entropy(p, t(y)).backward()
        return p.grad.numpy()
    if function == "backward":
        x, y, _, w, b, lr = values
        w, b = t(w, grad=True), t(b, grad=True)
        F.binary_cross_entropy(torch.sigmoid(t(x) @ w + b), t(y)).backward()
        return ((w - lr * w.grad).detach().numpy(), (b - lr * b.grad).detach().numpy())
    if function == "train":  # full-batch gradient descent from zeros, autograd's gradients, loss before each step
        x, y, lr, epochs = values
        x, y = t(x), t(y)
        w, b, losses = torch.zeros((x.shape[1], 1), dtype=torch.float64), torch.zeros(1, dtype=torch.float64), []
        for _ in range(epochs):
            w.requires_grad_(True), b.requires_grad_(True)
            loss = F.binary_cross_entropy(torch.sigmoid(x @ w + b), y)
            losses.append(loss.item())
            grad_w, grad_b = torch.autograd.grad(loss, (w, b))
            w, b = (w - lr * grad_w).detach(), (b - lr * grad_b).detach()
        return (w.numpy(), b.numpy(), np.array(losses))
    return None


TORCH_RESULTS = COURSE_ROOT / "data" / "torch_results.npz"


def write_torch_results(path=TORCH_RESULTS) -> None:
    """Compute torch's result for every case that has one and store it with the inputs' digest."""
    arrays = {}
    for name, case in CASES.items():
        args = case.make_args()
        result = torch_reference(case.function, args)
        if result is not None:
            arrays[f"{name}.digest"] = np.array(digest(args))
            arrays.update({f"{name}.{i}": np.asarray(part) for i, part in enumerate(parts(result))})
    np.savez_compressed(path, **arrays)


@lru_cache(maxsize=None)
def stored_torch_results() -> dict[str, tuple[str, tuple]]:
    """{case: (inputs' digest, torch's result as a tuple of arrays)} from TORCH_RESULTS."""
    with np.load(TORCH_RESULTS, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.keys()}
    results = {}
    for name in {key.rsplit(".", 1)[0] for key in arrays}:
        result_parts = tuple(arrays[f"{name}.{i}"] for i in range(len(arrays)) if f"{name}.{i}" in arrays)
        results[name] = (str(arrays[f"{name}.digest"]), result_parts)
    return results


def stored_torch_result(case_name: str, args: list):
    """torch's stored result for a case (a tuple of arrays), or None where torch has none."""
    if case_name not in stored_torch_results():
        return None
    want_digest, result = stored_torch_results()[case_name]
    if digest(args) != want_digest:
        raise KitError(f"the stored torch result of case {case_name} is for other inputs: "
                       "run `python -m nnkit.references` to recompute them")
    return result


def finite_difference_step(args: list, h: float = 1e-6):
    """backward's step computed from central differences of the loss: w - lr * dL/dw, b - lr * dL/db."""
    x, y, _, w, b, lr = (value for _, value in args)

    def loss(w_, b_):
        return activations.cross_entropy(y, activations.sigmoid(x @ w_ + b_))

    grad_w = np.zeros_like(w)
    for i in range(w.shape[0]):
        step = np.zeros_like(w)
        step[i] = h
        grad_w[i] = (loss(w + step, b) - loss(w - step, b)) / (2 * h)
    grad_b = np.array([(loss(w, b + h) - loss(w, b - h)) / (2 * h)])
    return w - lr * grad_w, b - lr * grad_b


def parts(answer) -> tuple:
    """An answer as a tuple of arrays: backward's (w_new, b_new), train's (w, b, losses) as they are,
    anything else as (answer,)."""
    return tuple(np.asarray(part) for part in answer) if isinstance(answer, tuple) else (np.asarray(answer),)


@lru_cache(maxsize=None)
def expected(case_name: str):
    case = CASES[case_name]
    args = case.make_args()
    answer = SOLUTIONS[case.function](*(value for _, value in args))
    cross_check = stored_torch_result(case_name, args)
    if cross_check is not None:
        for ours, theirs in zip(parts(answer), parts(cross_check)):
            tol = tolerance_for(np.asarray(ours).dtype)
            if not np.allclose(ours, theirs, rtol=tol.rtol, atol=tol.atol):
                raise KitError(f"the reference solution disagrees with torch on case {case_name}")
    if case.function == "backward":
        for ours, numeric in zip(answer, finite_difference_step(args)):
            if not np.allclose(ours, numeric, rtol=1e-6, atol=1e-8):  # central differences: ~1e-10 error
                raise KitError(f"the reference backward disagrees with finite differences on case {case_name}")
    return answer


if __name__ == "__main__":
    write_torch_results()
    print(f"wrote {TORCH_RESULTS.relative_to(COURSE_ROOT)}", file=sys.stderr)
