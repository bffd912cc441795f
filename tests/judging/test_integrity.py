"""The integrity scan, on code alone: what it flags and what it leaves alone."""
import pytest

from nnkit.judging.integrity import scan

GRADED = {"conv", "relu", "sigmoid", "max_pooling"}
NUMPY = ["import numpy as np"]  # the instructor's locked imports cell


def flags(*cells):
    return {flag.function: flag.reason for flag in scan(list(cells), GRADED, NUMPY)}


@pytest.mark.parametrize(
    "cell, function, reason",
    [
        (
            "import torch.nn.functional as F\n\ndef conv(x, k, b, stride=2, padding=1):\n    return F.conv2d(x, k, b)",
            "conv",
            "uses F (from torch.nn.functional)",
        ),
        (
            "def relu(x):\n    from solutions.activations import relu as r\n    return r(x)",
            "relu",
            "imports solutions.activations",
        ),
        (
            "def relu(x):\n    from assignments.activations.key import solution\n    return solution.relu(x)",
            "relu",
            "imports assignments.activations.key",
        ),
        (
            "from scipy.special import expit\n\ndef sigmoid(x):\n    return expit(x)",
            "sigmoid",
            "uses expit (from scipy.special)",
        ),
        ("def sigmoid(x):\n    return eval('1 / (1 + np.exp(-x))')", "sigmoid", "calls eval()"),
        ("np.allclose = lambda *a, **k: True\n\ndef relu(x):\n    return x", "relu", "changes np.allclose"),
        ("import builtins\nbuiltins.abs = len\n\ndef relu(x):\n    return x", "relu", "changes builtins.abs"),
        (
            "import sys\n\ndef relu(x):\n    sys.modules['numpy'].maximum = min\n    return x",
            "relu",
            "touches sys.modules",
        ),
        (
            "def relu(x):\n    open('/tmp/answers', 'w').write(str(x))\n    return x",
            "relu",
            "opens a file outside its own folder",
        ),
        (
            "import importlib\n\ndef relu(x):\n    return importlib.import_module('torch').relu(x)",
            "relu",
            "imports importlib",
        ),
    ],
)
def test_flags_what_no_answer_needs(cell, function, reason):
    found = flags(cell)
    assert function in found and reason in found[function]


def test_a_patching_cell_of_its_own_flags_every_graded_function():
    found = flags("np.isclose = lambda *a, **k: True", "def relu(x):\n    return np.maximum(x, 0)")
    assert set(found) == GRADED and "another cell changes np.isclose" in found["relu"]


def test_leaves_plain_numpy_answers_alone():
    assert (
        flags(
            "from numpy.lib.stride_tricks import sliding_window_view\n\n"
            "def max_pooling(x, k, s):\n"
            "    return sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s].max(axis=(-2, -1))",
            "def relu(x):\n    out = x.copy()\n    out[out < 0] = 0\n    return out",
            "import math\n\ndef sigmoid(x):\n    return 0.5 * (1 + np.tanh(x / 2))",
            "def helper(x):\n    return x\n\nprint('scratch work')",
            "this is not python (",
        )
        == {}
    )


def test_instructor_cells_are_not_scanned_for_flags():
    assert scan(["def relu(x):\n    return np.maximum(x, 0)"], GRADED, ["import numpy as np\nimport torchvision"]) == []
