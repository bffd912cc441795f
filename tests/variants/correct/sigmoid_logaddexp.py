"""sigma(x) = exp(-log(1 + exp(-x))) with np.logaddexp, which never overflows."""
import numpy as np


def sigmoid(x):
    return np.exp(-np.logaddexp(0, -x))
