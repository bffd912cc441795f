"""exp(-z) / (1 + exp(-z))^2 overflows for large negative z."""
import numpy as np


def sigmoid_grad(z):
    return np.exp(-z) / (1 + np.exp(-z)) ** 2
