"""Returns shape (N,) instead of (N, 1)."""
import numpy as np


def forward(x, w, b):
    return np.sum(x * w.ravel(), axis=1) + b[0]
