"""Inputs for the hidden-test cases, built deterministically from the bundled MNIST sample and fixed
seeds: what the cases of every assignment share. Kernel side (the grading kernel builds the same
inputs as the grader).
"""
import numpy as np

from nnkit.kernel import mnist


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def digits(n: int, split: str = "train", start: int = 0) -> np.ndarray:
    """n real MNIST images as float64 in [0, 1], shape (n, 28, 28)."""
    images, _ = mnist.load(split)
    return images[start:start + n].astype(np.float64) / 255.0


def digit_batch(n: int, c: int = 1, h: int = 28, w: int = 28, start: int = 0) -> np.ndarray:
    """(n, c, h, w) crops of real MNIST digits (top-left 4 rows/cols skipped, where digits rarely are)."""
    images = digits(n * c, start=start)
    if (h, w) != (28, 28):
        images = images[:, 4:4 + h, 4:4 + w]
    return np.ascontiguousarray(images.reshape(n, c, h, w))


def binary_digits(split: str, positive: int = 1, negative: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Flattened digits of two classes: x (N, 784) in [0, 1], y (N, 1) = 1.0 for `positive`."""
    images, labels = mnist.load(split)
    keep = (labels == positive) | (labels == negative)
    x = images[keep].reshape(int(keep.sum()), -1).astype(np.float64) / 255.0
    y = (labels[keep] == positive).astype(np.float64).reshape(-1, 1)
    return x, y


def exact(values: np.ndarray) -> np.ndarray:
    """Values computed with a matrix product or exp, rounded to multiples of 2**-32: BLAS's
    summation order and numpy's SIMD exp differ in the last bit between machines, and a case's
    inputs must be the same bytes everywhere (the grader checks their digest, and torch's stored
    results are keyed by it)."""
    return np.round(values * 2.0**32) / 2.0**32


def logits(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return exact(x @ w + b)


def probabilities(z: np.ndarray) -> np.ndarray:
    return exact(1 / (1 + np.exp(-z)))


def logits_of(x: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Small random weights w (D, 1) and bias b (1,), for logits of a moderate size."""
    g = rng(seed)
    return g.normal(0, 0.05, (x.shape[1], 1)), g.normal(0, 0.5, (1,))
