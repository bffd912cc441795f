"""Stable, but the sign of the exponent is flipped: this is sigmoid(-x)."""
import numpy as np


def sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x < 0, 1 / (1 + e), e / (1 + e))
