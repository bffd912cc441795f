"""np.dot and a scalar bias."""
import numpy as np


def forward(x, w, b):
    return np.dot(x, w) + b[0]
