"""The backward passes of ReLU and max pooling (assignment `gradients`).

For a layer out = f(x) inside a network with loss L, the backward pass takes dout = dL/dout
(out's shape) and returns dx = dL/dx (x's shape): the gradient of sum(f(x) * dout) with respect
to x. The forward functions (`relu`, `max_pooling`) are the students' own, pasted from the earlier
assignments; the backward passes never call them.
"""
import numpy as np

from assignments.activations.key.solution import relu
from assignments.convolution.key.solution import max_pooling

__all__ = ["max_pooling", "max_pooling_backward", "relu", "relu_backward"]


def relu_backward(dout, x):
    """The gradient of ReLU: dout where x > 0, 0 elsewhere.

    Inputs:
    - dout: upstream gradient, of x's shape and dtype; not modified.
    - x: the input of the forward pass relu(x); not modified.

    Returns dx, a new array of x's shape and dtype: dout where x > 0, and 0 where x <= 0,
    also at exactly x == 0 (as PyTorch does).
    """
    return dout * (x > 0)


def max_pooling_backward(dout, x, kernel_size, stride):
    """The gradient of max_pooling(x, kernel_size, stride).

    Inputs:
    - dout: upstream gradient (N, C, OH, OW), the shape of max_pooling's output; not modified.
    - x: the input (N, C, H, W) of the forward pass; not modified.
    - kernel_size: window side k; stride: step s between windows, on both axes.

    Returns dx, a new array of x's shape and dtype. Each window's dout[n, c, i, j] goes to the
    position of the maximum of x[n, c, i*s : i*s + k, j*s : j*s + k]; where windows overlap,
    their gradients add up. A tied maximum sends it to the first maximum in row-major order (as
    PyTorch's max_pool2d on the CPU). Rows and columns no window reads get 0.
    """
    N, C, _, _ = x.shape
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            top, left = i * stride, j * stride
            window = x[:, :, top:top + kernel_size, left:left + kernel_size].reshape(N, C, -1)
            rows, cols = np.unravel_index(window.argmax(axis=2), (kernel_size, kernel_size))
            n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
            dx[n, c, top + rows, left + cols] += dout[:, :, i, j]
    return dx
