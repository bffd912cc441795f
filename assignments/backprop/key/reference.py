"""What grades `backprop`: the reference of each graded function, torch's float64 versions (autograd
for the gradients, 30 epochs of training for `train`), a finite-difference check of the gradient
step, and the judge's check of a training run (its losses and final weights)."""
import numpy as np

from assignments.activations.key import solution as activations
from assignments.backprop.key import solution
from nnkit.judging.compare import Wrong, as_array, as_items, compare_values
from nnkit.kernel.i18n import _
from nnkit.kernel.inputs import binary_digits

REFERENCES = {
    name: getattr(solution, name) for name in ("forward", "sigmoid_grad", "cross_entropy_grad", "backward", "train")
}
STUDENT_VIEWS = {"solution": {name: name for name in REFERENCES}}


def torch_reference(function: str, *values):
    import torch
    import torch.nn.functional as F

    def t(value, grad=False):
        return torch.tensor(np.asarray(value, dtype=np.float64), requires_grad=grad)

    if function == "forward":
        x, w, b = values
        return (t(x) @ t(w) + t(b)).numpy()
    if function == "sigmoid_grad":
        z = t(values[0], grad=True)
        torch.sigmoid(z).sum().backward()
        return z.grad.numpy()
    if function == "cross_entropy_grad":
        # autograd of the loss as the notebook defines it, of the predictions clipped to [EPS, 1 - EPS]
        # (F.binary_cross_entropy's gradient instead divides by max(p (1 - p), 1e-12): another number
        # where 1 - p rounds to less than 1e-12, at a prediction of exactly 1)
        y, p = t(values[0]), torch.clamp(t(values[1]), solution.EPS, 1 - solution.EPS).requires_grad_()
        (-(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()).backward()
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


def finite_difference_step(values: list, h: float = 1e-6):
    """backward's step computed from central differences of the loss: w - lr * dL/dw, b - lr * dL/db."""
    x, y, _, w, b, lr = values

    def loss(w_, b_):
        return activations.cross_entropy(y, activations.sigmoid(x @ w_ + b_))

    grad_w = np.zeros_like(w)
    for i in range(w.shape[0]):
        step = np.zeros_like(w)
        step[i] = h
        grad_w[i] = (loss(w + step, b) - loss(w - step, b)) / (2 * h)
    grad_b = np.array([(loss(w, b + h) - loss(w, b - h)) / (2 * h)])
    return w - lr * grad_w, b - lr * grad_b


def backward_by_finite_differences(answer, *values) -> str:
    """'' when the reference step agrees with central differences (error ~1e-10), else why not."""
    for ours, numeric in zip(answer, finite_difference_step(list(values)), strict=True):
        if not np.allclose(ours, numeric, rtol=1e-6, atol=1e-8):
            return "the reference backward disagrees with finite differences"
    return ""


# Further proofs of a reference, beyond torch: {function: check(answer, *args, **kwargs) -> problem or ''},
# called with a case's arguments as the function is.
CROSS_CHECKS = {"backward": backward_by_finite_differences}


def check_training(got, case, want) -> str:
    """train's (w, b, losses) are the reference's: the same losses, one per epoch, each taken before
    its step, and the same final weights; the held-out accuracy is reported."""
    want_w, want_b, want_losses = want
    w, b, losses = as_items(got, 3, case.returns)
    want_losses = np.asarray(want_losses, dtype=np.float64)
    if isinstance(losses, (list, tuple)) and losses:  # numbers, some perhaps as arrays or lists of one
        from nnkit.judging.compare import stacked

        items = [stacked(v) for v in losses]
        if all(i is not None and i.size == 1 and i.dtype.kind in "iuf" for i in items):
            losses = np.array([i.reshape(()) for i in items])
    losses = as_array(losses, "losses", want_losses).astype(np.float64).ravel()
    if losses.size != want_losses.size or not np.all(np.isfinite(losses)):
        raise Wrong(_("losses: expected {count} finite numbers, one per epoch, got {got}: {first}...").format(
            count=want_losses.size, got=losses.size, first=np.array2string(losses[:5], precision=3)))
    if not losses[-1] < losses[0]:
        raise Wrong(_("the loss went up from {first:.4f} to {last:.4f}: the step must go against the gradient").format(
            first=losses[0], last=losses[-1]))
    compare_values(
        losses,
        want_losses,
        "losses",
        hint=_(
            "; each loss is the mean cross-entropy before its step, starting from w = 0, b = 0 (loss {loss:.4f})"
        ).format(loss=want_losses[0]),
    )
    weights = []
    for name, value, expected in (("w", w, np.asarray(want_w)), ("b", b, np.asarray(want_b))):
        array = as_array(value, name, expected)
        if array.size != expected.size:
            raise Wrong(_("{name}: expected an array of shape {want}, got shape {got}").format(
                name=name, want=expected.shape, got=array.shape))
        weights.append(array.reshape(expected.shape).astype(np.float64))
        compare_values(weights[-1], expected, name)
    x, y = binary_digits("test")
    accuracy = float(np.mean((x @ weights[0] + weights[1] > 0) == (y > 0.5)))
    return _(" (held-out accuracy {accuracy:.3f}, loss {first:.4f} -> {last:.4f})").format(
        accuracy=accuracy, first=losses[0], last=losses[-1])


CHECKS = {"training": check_training}
