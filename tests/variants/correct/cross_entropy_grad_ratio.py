"""(p - y) / (p (1 - p)) / N with N = len(y)."""
import numpy as np


def cross_entropy_grad(y, p):
    p = np.clip(p, EPS, 1 - EPS)
    return (p - y) / (p * (1 - p)) / len(y)
