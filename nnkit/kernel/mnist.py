"""The bundled MNIST sample: where it lives and a torch-free loader for the hidden tests.

Students load the same files with `torchvision.datasets.MNIST(root=..., download=True)`;
tests/kernel/test_mnist.py proves both loaders give identical arrays.
"""
from functools import cache
from pathlib import Path

import numpy as np

from nnkit.kernel.config import COURSE_ROOT

DATA_ROOT = COURSE_ROOT / "data"  # the `root=` that torchvision.datasets.MNIST takes
RAW_DIR = DATA_ROOT / "MNIST" / "raw"
RAW_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def read_idx(path: Path) -> np.ndarray:
    raw = path.read_bytes()
    if raw[:3] != b"\x00\x00\x08":
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    ndim = raw[3]
    shape = tuple(np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


@cache
def load(split: str) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N, 28, 28), labels uint8 (N,)) of split "train" or "test"; read-only arrays."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    return read_idx(RAW_DIR / RAW_FILES[f"{split}_images"]), read_idx(RAW_DIR / RAW_FILES[f"{split}_labels"])
