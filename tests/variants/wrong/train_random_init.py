"""Starts from small random weights, not from w = 0, b = 0 as the contract says: its losses and
weights are not the reference's (the first loss is not log 2)."""
import numpy as np


def train(x, y, lr, epochs):
    w = np.random.default_rng(0).normal(0, 0.01, (x.shape[1], 1))
    b = np.zeros(1)
    losses = []
    for _ in range(epochs):
        y_hat = sigmoid(forward(x, w, b))
        losses.append(cross_entropy(y, y_hat))
        w, b = backward(x, y, y_hat, w, b, lr)
    return w, b, losses
