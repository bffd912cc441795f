"""The seed tutorial's implementations, as a student would submit them (shared/seed/).

Its sigmoid overflows for large negative x; max_pooling and conv return float64 whatever the
input dtype; cross_entropy_grad returns the loss, not its gradient; backward applies
sigmoid_grad to the output instead of the logits, drops the 1/N of the mean, and modifies w and
b in place. `train` is not in the seed: it is the loop a seed student would write with these.
"""
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def cross_entropy(y, y_hat):
    epsilon = 1e-12
    y_pred = np.clip(y_hat, epsilon, 1. - epsilon)
    loss = -(y * np.log(y_pred) + (1 - y) * np.log(1 - y_pred))
    return np.mean(loss)


def relu(x):
    return np.maximum(0, x)


def max_pooling(x, kernel_size, stride):
    N, C, H, W = x.shape
    out_h = (H - kernel_size) // stride + 1
    out_w = (W - kernel_size) // stride + 1
    out = np.zeros((N, C, out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            x_masked = x[:, :, i * stride: i * stride + kernel_size, j * stride: j * stride + kernel_size]
            out[:, :, i, j] = np.max(x_masked, axis=(2, 3))
    return out


def conv(x, kernel, bias, stride=2, padding=1):
    N, C, H, W = x.shape
    K, C, KH, KW = kernel.shape
    out_h = (H - KH + 2 * padding) // stride + 1
    out_w = (W - KW + 2 * padding) // stride + 1
    out = np.zeros((N, K, out_h, out_w))
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), mode='constant', constant_values=0)
    for i in range(out_h):
        for j in range(out_w):
            x_masked = x_pad[:, :, i * stride: i * stride + KH, j * stride: j * stride + KW]
            for k in range(K):
                out[:, k, i, j] = np.sum(x_masked * kernel[k, :, :, :], axis=(1, 2, 3))
    out = out + bias.reshape(1, -1, 1, 1)
    return out


def forward(x, w, b):
    return np.dot(x, w) + b


def sigmoid_grad(z):
    return sigmoid(z) * (1 - sigmoid(z))


def cross_entropy_grad(y, p):
    epsilon = 1e-12
    p = np.clip(p, epsilon, 1 - epsilon)
    return - (y * np.log(p) + (1 - y) * np.log(1 - p))


def backward(x, y, y_hat, w, b, lr):
    grad_y_hat = cross_entropy_grad(y, y_hat)
    grad_z = sigmoid_grad(y_hat)
    grad_w = np.dot(x.T, grad_y_hat * grad_z)
    grad_b = np.sum(grad_y_hat * grad_z, axis=0)
    w -= lr * grad_w
    b -= lr * grad_b
    return w, b


def train(x, y, lr, epochs):
    w = np.zeros((x.shape[1], 1))
    b = np.zeros(1)
    losses = []
    for epoch in range(epochs):
        y_hat = sigmoid(forward(x, w, b))
        losses.append(cross_entropy(y, y_hat))
        w, b = backward(x, y, y_hat, w, b, lr)
    return w, b, losses
