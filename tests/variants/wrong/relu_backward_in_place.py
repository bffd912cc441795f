"""Zeroes the upstream gradient in place and returns it: right values, but the caller's dout is changed."""


def relu_backward(dout, x):
    dout[x <= 0] = 0
    return dout
