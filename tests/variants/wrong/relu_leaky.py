"""Leaky ReLU: 0.01 x for negative x."""
import numpy as np


def relu(x):
    return np.where(x > 0, x, 0.01 * x)
