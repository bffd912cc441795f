"""The seed's: returns the per-sample loss, not its gradient."""
import numpy as np


def cross_entropy_grad(y, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))
