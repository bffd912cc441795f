"""Trains on 1 - y: learns the opposite class."""
import numpy as np


def train(x, y, lr, epochs):
    w, b, losses = np.zeros((x.shape[1], 1)), np.zeros(1), []
    for _ in range(epochs):
        y_hat = sigmoid(forward(x, w, b))
        losses.append(cross_entropy(1 - y, y_hat))
        w, b = backward(x, 1 - y, y_hat, w, b, lr)
    return w, b, losses
