"""einsum over the strided windows (sliding_window_view) for dkernel, and per kernel offset for dx."""
import numpy as np


def conv_backward(dout, x, kernel, bias, stride=2, padding=1):
    N, C, H, W = x.shape
    K, _, KH, KW = kernel.shape
    _, _, out_h, out_w = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = np.lib.stride_tricks.sliding_window_view(x_pad, (KH, KW), axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride][:, :, :out_h, :out_w]  # (N, C, OH, OW, KH, KW)
    dkernel = np.einsum("nkij,ncijpq->kcpq", dout, windows)
    dx_pad = np.zeros_like(x_pad)
    for p in range(KH):
        for q in range(KW):
            dx_pad[:, :, p:p + stride * (out_h - 1) + 1:stride, q:q + stride * (out_w - 1) + 1:stride] += np.einsum(
                "nkij,kc->ncij", dout, kernel[:, :, p, q])
    dbias = np.einsum("nkij->k", dout)
    return dx_pad[:, :, padding:padding + H, padding:padding + W], dkernel, dbias
