"""What grades `activations`: the reference of each graded function, and torch's float64 version
of each where torch has one (nnkit.judging.references cross-checks the two on every case)."""
import numpy as np

from assignments.activations.key import solution

REFERENCES = {"sigmoid": solution.sigmoid, "relu": solution.relu, "cross_entropy": solution.cross_entropy}
# The student copies the mutation report mutates (nnkit.authoring.mutants): the solution module as a student writes it.
STUDENT_VIEWS = {"solution": {name: name for name in REFERENCES}}


def torch_reference(function: str, *values):
    """torch float64's answer for the function, called with a case's arguments as the function is, or
    None where torch has none."""
    import torch
    import torch.nn.functional as F

    def t(value):
        return torch.tensor(np.asarray(value, dtype=np.float64))

    if function == "sigmoid":
        return torch.sigmoid(t(values[0])).numpy()
    if function == "relu":
        return F.relu(t(values[0])).numpy()
    if function == "cross_entropy":
        y, y_hat = values
        if np.all((y_hat >= solution.EPS) & (y_hat <= 1 - solution.EPS)):  # torch clamps log at -100 instead
            return F.binary_cross_entropy(t(y_hat), t(y)).item()
    return None
