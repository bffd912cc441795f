"""What grades `gradients`: the references, torch's float64 autograd to prove them, and a proof by
finite differences, which needs no second implementation of the backward passes."""
import numpy as np

from assignments.activations.key.solution import relu
from assignments.convolution.key.solution import max_pooling_fast
from assignments.gradients.key import solution

REFERENCES = {"relu_backward": solution.relu_backward, "max_pooling_backward": solution.max_pooling_backward}
STUDENT_VIEWS = {"solution": {name: name for name in REFERENCES}}
FORWARD = {"relu_backward": relu, "max_pooling_backward": max_pooling_fast}  # the pass each one is the gradient of


def torch_reference(function: str, dout, x, *rest, **options):
    """x.grad of sum(forward(x) * dout) by torch.autograd in float64, the forward being torch's own."""
    import torch
    import torch.nn.functional as F

    forward = {"relu_backward": F.relu, "max_pooling_backward": F.max_pool2d}.get(function)
    if forward is None:
        return None
    x = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    (forward(x, *rest, **options) * torch.tensor(np.asarray(dout, dtype=np.float64))).sum().backward()
    return x.grad.numpy()


def finite_differences(forward, h: float = 1e-6):
    """A cross-check of a backward pass: its dx is the central difference of sum(forward(x) * dout),
    entry by entry, wherever that is a derivative; at a kink (x == 0 for ReLU, a tied maximum), where
    the two one-sided differences disagree, the rule is torch's and torch's results prove it."""

    def check(answer, dout, x, *rest, **options) -> str:
        def loss(moved):
            return float(np.sum(forward(moved, *rest, **options) * dout))

        x = np.asarray(x, dtype=np.float64)
        centre, smooth, wrong = loss(x), 0, []
        for index in np.ndindex(x.shape):
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


CROSS_CHECKS = {function: finite_differences(forward) for function, forward in FORWARD.items()}
