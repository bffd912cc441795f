"""What grades `gradients`: the references, torch's float64 autograd to prove them, and a proof by
finite differences, which needs no second implementation of the backward passes; conv_backward's
check, whose float32 sums may carry their rounding."""
import numpy as np

from assignments.activations.key.solution import relu
from assignments.convolution.key.solution import conv_fast, max_pooling_fast
from assignments.gradients.key import solution
from nnkit.judging.compare import check_answer, summation_slack
from nnkit.kernel.i18n import _

REFERENCES = {"relu_backward": solution.relu_backward, "max_pooling_backward": solution.max_pooling_backward,
              "conv_backward": solution.conv_backward_fast}  # conv_backward, the loop, plays the student
STUDENT_VIEWS = {"solution": {name: name for name in REFERENCES}}
FORWARD = {"relu_backward": relu, "max_pooling_backward": max_pooling_fast}  # the pass each one is the gradient of


def torch_reference(function: str, dout, x, *rest, **options):
    """x.grad of sum(forward(x) * dout) by torch.autograd in float64, the forward being torch's own."""
    import torch
    import torch.nn.functional as F

    if function == "conv_backward":
        return torch_conv_backward(dout, x, *rest, **options)
    forward = {"relu_backward": F.relu, "max_pooling_backward": F.max_pool2d}.get(function)
    if forward is None:
        return None
    x = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    (forward(x, *rest, **options) * torch.tensor(np.asarray(dout, dtype=np.float64))).sum().backward()
    return x.grad.numpy()


def finite_differences(forward, h: float = 1e-6, entries: int = 200):
    """A cross-check of a backward pass: its dx is the central difference of sum(forward(x) * dout)
    at up to `entries` entries spread evenly over x (the grader runs it once per case and process:
    it must stay fast), wherever that is a derivative; at a kink (x == 0 for ReLU, a tied maximum),
    where the two one-sided differences disagree, the rule is torch's and torch's results prove it."""

    def check(answer, dout, x, *rest, **options) -> str:
        def loss(moved):
            return float(np.sum(forward(moved, *rest, **options) * dout))

        x = np.asarray(x, dtype=np.float64)
        centre, smooth, wrong = loss(x), 0, []
        for flat in np.unique(np.linspace(0, x.size - 1, min(entries, x.size)).astype(int)):
            index = np.unravel_index(flat, x.shape)
            step = np.zeros_like(x)
            step[index] = h
            up, down = (loss(x + step) - centre) / h, (centre - loss(x - step)) / h
            if not np.isclose(up, down, rtol=1e-5, atol=1e-6):
                continue
            smooth += 1
            if not np.isclose(answer[index], (up + down) / 2, rtol=1e-5, atol=1e-6):
                wrong.append(index)
        if wrong:
            return f"the reference dx disagrees with finite differences at {len(wrong)} entries, first {wrong[0]}"
        return "" if smooth else "no entry where the finite difference is a derivative"

    return check


def torch_conv_backward(dout, x, kernel, bias, stride=2, padding=1):
    """torch.autograd's gradients of F.conv2d, in float64."""
    import torch
    import torch.nn.functional as F

    x, kernel, bias = (torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for v in (x, kernel, bias))
    out = F.conv2d(x, kernel, bias, stride=stride, padding=padding)
    out.backward(torch.tensor(np.asarray(dout, dtype=np.float64)))
    return x.grad.numpy(), kernel.grad.numpy(), bias.grad.numpy()


def conv_backward_by_finite_differences(answer, dout, x, kernel, bias, stride=2, padding=1, h=1e-6) -> str:
    """'' when the reference's (dx, dkernel, dbias) are the central differences of sum(conv(...) * dout)
    on a few entries of each (every entry would take minutes), else why not."""
    def loss(*values):
        return float(np.sum(conv_fast(*values, stride, padding).astype(np.float64) * dout))

    values = [np.asarray(v, dtype=np.float64) for v in (x, kernel, bias)]
    for which, gradient in enumerate(answer):
        for index in list(np.ndindex(gradient.shape))[::max(1, gradient.size // 7)]:
            plus, minus = [v.copy() for v in values], [v.copy() for v in values]
            plus[which][index] += h
            minus[which][index] -= h
            numeric = (loss(*plus) - loss(*minus)) / (2 * h)
            if not np.isclose(gradient[index], numeric, rtol=1e-4, atol=1e-4):
                name = ("dx", "dkernel", "dbias")[which]
                return f"the reference conv_backward disagrees with finite differences at {name}{index}"
    return ""


def check_summed_gradients(got, case, want) -> str:
    """conv_backward's (dx, dkernel, dbias) by value, as by default, but a float32 answer may also
    carry the rounding of the sums each value is (nnkit.judging.compare.summation_slack): dkernel
    and dbias sum N·OH·OW terms, dx at most K·KH·KW; Σ|terms| is conv_backward on |dout|, |x|,
    |kernel|. Each wrong value's message says what that gradient is."""
    args = dict(case.make_args())
    dout, x, kernel = (np.abs(np.asarray(args[name], dtype=np.float64)) for name in ("dout", "x", "kernel"))
    K, KH, KW = kernel.shape[0], *kernel.shape[2:]
    positions = dout.shape[0] * dout.shape[2] * dout.shape[3]
    stride, padding = args.get("stride", 2), args.get("padding", 1)
    magnitudes = solution.conv_backward_fast(dout, x, kernel, np.zeros(K), stride, padding)
    slack = tuple(summation_slack(n, m, np.asarray(w).dtype)
                  for n, m, w in zip((K * KH * KW, positions, positions), magnitudes, want, strict=True))
    hints = (_("; dx_pad[n, :, i*s:i*s + KH, j*s:j*s + KW] += dout[n, k, i, j] * kernel[k] (not flipped) "
               "for every k, i, j, then dx is dx_pad without its padding"),
             _("; dkernel[k] += dout[n, k, i, j] * x_pad[n, :, i*s:i*s + KH, j*s:j*s + KW], added up over "
               "every sample n and every position (i, j)"),
             _("; dbias[k] is the sum of dout[:, k] over the batch and every position (a sum, not a mean)"))
    return check_answer(got, want, case.returns, slack=slack, hints=hints)


CROSS_CHECKS = {**{function: finite_differences(forward) for function, forward in FORWARD.items()},
                "conv_backward": conv_backward_by_finite_differences}
CHECKS = {"summed_gradients": check_summed_gradients}
