"""What grades `week4_softmax`: the references, torch's float64 versions to prove them, finite differences
for the loss's gradient, and the check of probabilities."""
import numpy as np

from assignments.week4_softmax.key import solution
from nnkit.judging.compare import Wrong, as_array, check_values
from nnkit.kernel.i18n import _

REFERENCES = {"softmax": solution.softmax, "softmax_loss": solution.softmax_loss}
STUDENT_VIEWS = {"solution": {"softmax": "softmax", "softmax_loss": "softmax_loss"}}


def torch_reference(function: str, *args, **kwargs):
    import torch
    import torch.nn.functional as F

    if function == "softmax":
        (z,) = args
        return torch.softmax(torch.tensor(np.asarray(z, dtype=np.float64)), dim=kwargs.get("axis", -1)).numpy()
    if function == "softmax_loss":
        z, y = args
        z = torch.tensor(z, dtype=torch.float64, requires_grad=True)
        loss = F.cross_entropy(z, torch.tensor(y))
        loss.backward()
        return loss.item(), z.grad.numpy()
    return None


def gradient_by_finite_differences(answer, z, y, h=1e-6) -> str:
    """'' when softmax_loss's dz is the central difference of its loss, else why not."""
    _, dz = answer
    numeric = np.zeros_like(z)
    for index in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[index] = h
        numeric[index] = (solution.softmax_loss(z + step, y)[0] - solution.softmax_loss(z - step, y)[0]) / (2 * h)
    if np.allclose(dz, numeric, rtol=1e-5, atol=1e-8):
        return ""
    return "the reference dz disagrees with finite differences"


def sums_to_one(answer, z, axis=-1) -> str:
    """'' when softmax's answer sums to 1 along the axis it was given (by name, as the student's was)."""
    if np.allclose(np.sum(answer, axis=axis), 1):
        return ""
    return f"the reference softmax does not sum to 1 along axis {axis}"


CROSS_CHECKS = {"softmax": sums_to_one, "softmax_loss": gradient_by_finite_differences}


def check_probabilities(got, case, want) -> str:
    """The values, as by default; but first, an answer that does not sum to 1 along the case's axis is told so."""
    axis = case.split(case.make_args())[1].get("axis", -1)
    array = as_array(got, "answer", want)
    if array.shape == want.shape and not np.allclose(array.sum(axis=axis), 1):
        raise Wrong(_("answer: it does not sum to 1 along axis {axis}").format(axis=axis), "values")
    return check_values(got, case, want)


CHECKS = {"probabilities": check_probabilities}
