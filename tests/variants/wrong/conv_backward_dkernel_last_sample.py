"""dkernel is reset for each sample instead of accumulated over the batch: only the last one counts."""
import numpy as np


def conv_backward(dout, x, kernel, bias, stride=2, padding=1):
    N, C, H, W = x.shape
    K, _, KH, KW = kernel.shape
    _, _, out_h, out_w = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dx_pad = np.zeros_like(x_pad)
    for n in range(N):
        dkernel = np.zeros_like(kernel)
        for i in range(out_h):
            for j in range(out_w):
                rows, cols = slice(i * stride, i * stride + KH), slice(j * stride, j * stride + KW)
                for k in range(K):
                    dkernel[k] += dout[n, k, i, j] * x_pad[n, :, rows, cols]
                    dx_pad[n, :, rows, cols] += dout[n, k, i, j] * kernel[k]
    dbias = dout.sum(axis=(0, 2, 3))
    return dx_pad[:, :, padding:padding + H, padding:padding + W], dkernel, dbias
