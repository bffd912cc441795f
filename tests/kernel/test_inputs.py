"""The cases' inputs (nnkit.kernel.inputs): real digits, the same bytes on every call and machine."""
import numpy as np

from nnkit.kernel import inputs, mnist


def test_digits_are_the_samples_images_scaled_to_the_unit_interval():
    images, _ = mnist.load("train")
    got = inputs.digits(3, start=5)
    assert got.dtype == np.float64 and got.shape == (3, 28, 28)
    assert np.array_equal(got * 255.0, images[5:8]) and got.min() >= 0 and got.max() <= 1


def test_a_digit_batch_is_cropped_contiguous_and_the_same_on_every_call():
    batch = inputs.digit_batch(2, c=3, h=10, w=12, start=1)
    assert batch.shape == (2, 3, 10, 12) and batch.flags.c_contiguous
    assert np.array_equal(batch[1, 2], inputs.digits(6, start=1)[5, 4:14, 4:16])
    assert np.array_equal(batch, inputs.digit_batch(2, c=3, h=10, w=12, start=1))


def test_binary_digits_keep_the_two_classes_and_label_the_positive_one():
    x, y = inputs.binary_digits("test", positive=3, negative=8)
    _, labels = mnist.load("test")
    assert x.shape == (int(np.isin(labels, [3, 8]).sum()), 784) and y.shape == (len(x), 1)
    assert y.sum() == (labels == 3).sum() and set(np.unique(y)) == {0.0, 1.0}


def test_exact_values_are_multiples_of_two_to_the_minus_32():
    values = inputs.probabilities(inputs.logits(np.ones((2, 3)), *inputs.logits_of(np.ones((2, 3)), seed=4)))
    assert np.array_equal(values * 2.0**32, np.round(values * 2.0**32))
    assert np.array_equal(inputs.logits_of(np.ones((1, 5)), 7)[0], inputs.logits_of(np.ones((1, 5)), 7)[0])
