"""Activations and the binary cross-entropy loss (assignment `activations`)."""
import numpy as np

EPS = 1e-12  # cross_entropy clips predictions to [EPS, 1 - EPS] so that log never sees 0


def sigmoid(x):
    """Logistic sigmoid, 1 / (1 + exp(-x)), elementwise and without overflow.

    Inputs:
    - x: float array of any shape.

    Returns an array of the same shape and dtype. exp is only ever taken of -|x| <= 0, so no
    overflow warning is raised for any finite x (1 / (1 + exp(-x)) overflows for x < -709).
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def relu(x):
    """Rectified linear unit, max(0, x), elementwise.

    Inputs:
    - x: float array of any shape; not modified.

    Returns a new array of the same shape and dtype.
    """
    return np.maximum(x, 0)


def cross_entropy(y, y_hat):
    """Mean binary cross-entropy, -mean(y log(y_hat) + (1 - y) log(1 - y_hat)).

    Inputs:
    - y: array of 0/1 labels, any shape.
    - y_hat: array of predicted probabilities, same shape as y; clipped to [EPS, 1 - EPS] so
      that predictions of exactly 0 or 1 give a finite loss.

    Returns the mean over all elements, a float.
    """
    p = np.clip(y_hat, EPS, 1 - EPS)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
