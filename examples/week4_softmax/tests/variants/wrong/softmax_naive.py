"""exp of the logits as they are: overflows for a logit of 1000."""
import numpy as np


def softmax(z, axis=-1):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)
