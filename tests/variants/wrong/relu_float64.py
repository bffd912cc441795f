"""Right values, but always float64."""
import numpy as np


def relu(x):
    return np.maximum(x, 0).astype(np.float64)
