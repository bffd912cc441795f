"""Records the summed loss instead of the mean (the training itself is right)."""
import numpy as np


def train(x, y, lr, epochs):
    w, b, losses = np.zeros((x.shape[1], 1)), np.zeros(1), []
    for _ in range(epochs):
        y_hat = sigmoid(forward(x, w, b))
        losses.append(cross_entropy(y, y_hat) * len(y))
        w, b = backward(x, y, y_hat, w, b, lr)
    return w, b, losses
