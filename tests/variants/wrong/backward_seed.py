"""The seed's: sigmoid_grad of the output, no 1/N, the loss as "gradient", w and b changed in place."""
import numpy as np


def backward(x, y, y_hat, w, b, lr):
    grad = -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)) * (y_hat * (1 - y_hat))
    w -= lr * np.dot(x.T, grad)
    b -= lr * np.sum(grad, axis=0)
    return w, b
