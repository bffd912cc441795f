"""Allocates far more memory than the machine has: the kernel's memory limit stops it (MemoryError)."""
import numpy as np


def relu(x):
    hoard = [np.ones(2**27) for _ in range(256)]  # 256 GiB, 1 GiB at a time
    return np.maximum(x, 0) + 0 * len(hoard)
