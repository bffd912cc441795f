"""np.where evaluates both branches, so np.exp(-x) still overflows for large negative x."""
import numpy as np


def sigmoid(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
