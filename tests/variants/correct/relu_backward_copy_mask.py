"""A copy of dout, zeroed where x <= 0."""


def relu_backward(dout, x):
    dx = dout.copy()
    dx[x <= 0] = 0
    return dx
