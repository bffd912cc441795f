"""Logistic regression trained by gradient descent on the mean binary cross-entropy
(assignment `backprop`).

Model: y_hat = sigmoid(z), z = forward(x, w, b) = x @ w + b, loss L = cross_entropy(y, y_hat).
Chain rule for one sample i of N:
    dL/dy_hat_i = (y_hat_i - y_i) / (y_hat_i (1 - y_hat_i)) / N      (cross_entropy_grad)
    dy_hat_i/dz_i = sigmoid(z_i) (1 - sigmoid(z_i)) = y_hat_i (1 - y_hat_i)   (sigmoid_grad)
    => dL/dz_i = (y_hat_i - y_i) / N, dL/dw = x.T @ dL/dz, dL/db = sum_i dL/dz_i.
"""
import numpy as np

from assignments.activations.key.solution import EPS, cross_entropy, sigmoid


def forward(x, w, b):
    """Logits of a linear model.

    Inputs:
    - x: array (N, D), one sample per row.
    - w: array (D, 1) of weights.
    - b: array (1,), the bias.

    Returns z = x @ w + b, an array (N, 1).
    """
    return x @ w + b


def sigmoid_grad(z):
    """Derivative of the sigmoid at z: sigmoid(z) * (1 - sigmoid(z)), same shape as z."""
    s = sigmoid(z)
    return s * (1 - s)


def cross_entropy_grad(y, p):
    """Gradient of the mean loss cross_entropy(y, p) with respect to p.

    Inputs:
    - y: array of 0/1 labels, any shape.
    - p: predicted probabilities, same shape as y, clipped to [EPS, 1 - EPS] as in the loss.

    Returns dL/dp = (-(y / p) + (1 - y) / (1 - p)) / y.size, same shape as p.
    """
    p = np.clip(p, EPS, 1 - EPS)
    return (-(y / p) + (1 - y) / (1 - p)) / y.size


def backward(x, y, y_hat, w, b, lr):
    """One gradient-descent step on the mean cross-entropy of logistic regression.

    Inputs:
    - x: array (N, D); y: labels (N, 1); y_hat = sigmoid(forward(x, w, b)), (N, 1).
    - w: array (D, 1); b: array (1,); lr: learning rate.

    Returns (w_new, b_new) = (w - lr * dL/dw, b - lr * dL/db), new arrays of the shapes of w and
    b. None of the inputs is modified.
    """
    dz = cross_entropy_grad(y, y_hat) * sigmoid_grad(forward(x, w, b))  # == (y_hat - y) / N
    grad_w = x.T @ dz
    grad_b = dz.sum(axis=0)
    return w - lr * grad_w, b - lr * grad_b


def train(x, y, lr, epochs):
    """Full-batch gradient descent from w = 0, b = 0.

    Inputs:
    - x: array (N, D); y: labels (N, 1); lr: learning rate; epochs: number of steps.

    Returns (w, b, losses): w (D, 1), b (1,), and the list of the `epochs` losses, each computed
    before its step.
    """
    w = np.zeros((x.shape[1], 1))
    b = np.zeros(1)
    losses = []
    for _ in range(epochs):
        y_hat = sigmoid(forward(x, w, b))
        losses.append(cross_entropy(y, y_hat))
        w, b = backward(x, y, y_hat, w, b, lr)
    return w, b, losses
