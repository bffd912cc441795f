"""Sums instead of averaging: no 1/N."""
import numpy as np


def cross_entropy(y, y_hat):
    p = np.clip(y_hat, EPS, 1 - EPS)
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))
