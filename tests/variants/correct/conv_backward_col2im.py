"""im2col / col2im: dkernel and dx as matrix products with the columns of the padded windows."""
import numpy as np


def conv_backward(dout, x, kernel, bias, stride=2, padding=1):
    N, C, H, W = x.shape
    K, _, KH, KW = kernel.shape
    _, _, out_h, out_w = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    cols = np.empty((C, KH, KW, N, out_h, out_w), dtype=x.dtype)
    for p in range(KH):
        for q in range(KW):
            cols[:, p, q] = x_pad[:, :, p:p + stride * out_h:stride, q:q + stride * out_w:stride].transpose(1, 0, 2, 3)
    dout_mat = dout.transpose(1, 0, 2, 3).reshape(K, -1)  # (K, N*OH*OW)
    dkernel = (dout_mat @ cols.reshape(C * KH * KW, -1).T).reshape(kernel.shape)
    dcols = (kernel.reshape(K, -1).T @ dout_mat).reshape(C, KH, KW, N, out_h, out_w)
    dx_pad = np.zeros_like(x_pad)
    for p in range(KH):  # col2im: each offset's columns go back where they were read
        for q in range(KW):
            rows, cols_ = slice(p, p + stride * out_h, stride), slice(q, q + stride * out_w, stride)
            dx_pad[:, :, rows, cols_] += dcols[:, p, q].transpose(1, 0, 2, 3)
    return dx_pad[:, :, padding:padding + H, padding:padding + W], dkernel, dout.sum(axis=(0, 2, 3))
