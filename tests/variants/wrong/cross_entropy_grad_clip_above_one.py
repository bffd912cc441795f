"""Clips to [EPS, 1 + EPS]: the upper bound lets a prediction of exactly 1 through, 1 - p is 0."""
import numpy as np


def cross_entropy_grad(y, p):
    p = np.clip(p, EPS, 1 + EPS)
    return (-(y / p) + (1 - y) / (1 - p)) / y.size
