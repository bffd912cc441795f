"""What grades `convolution`: the vectorized references (the loop versions are what students write,
and what the notebook's solution shows), and torch's float64 versions."""
import numpy as np

from assignments.convolution.key import solution

REFERENCES = {"max_pooling": solution.max_pooling_fast, "conv": solution.conv_fast}
# The mutation report (nnkit.authoring.mutants) plays the student with the loop versions students write and
# with the vectorized ones they may write instead. Not with conv_fast: its flat-row im2col is the
# grader's own speed-up, no student's code. When it was played, 56 of its mutants went uncaught:
# most change the buffers and row length it over-allocates by design, its stride-1 shortcut or
# reshape's unknown (negative) size, and compute the same output; a few (`KW / 1`, a float row
# length once padding >= kernel width) break on inputs no case has. It is proved instead against
# torch and the loop versions on random shapes (tests/course/test_solutions.py).
STUDENT_VIEWS = {"loops": {"max_pooling": "max_pooling", "conv": "conv"},
                 "vectorized": {"max_pooling": "max_pooling_fast", "conv": "conv_windows"}}


def torch_reference(function: str, *values):
    import torch
    import torch.nn.functional as F

    def t(value):
        return torch.tensor(np.asarray(value, dtype=np.float64))

    if function == "max_pooling":
        x, k, s = values
        return F.max_pool2d(t(x), k, s).numpy()
    if function == "conv":
        x, kernel, bias, *rest = values
        stride, padding = (rest + [2, 1][len(rest):])[:2]
        return F.conv2d(t(x), t(kernel), t(bias), stride=stride, padding=padding).numpy()
    return None
