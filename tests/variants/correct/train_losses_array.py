"""Losses in a NumPy array filled in the loop (this once made the whole notebook ungradable)."""
import numpy as np


def train(x, y, lr, epochs):
    w, b = np.zeros((x.shape[1], 1)), np.zeros(1)
    losses = np.zeros(epochs)
    for epoch in range(epochs):
        y_hat = sigmoid(forward(x, w, b))
        losses[epoch] = cross_entropy(y, y_hat)
        w, b = backward(x, y, y_hat, w, b, lr)
    return w, b, losses
