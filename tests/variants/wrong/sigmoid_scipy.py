"""Right values, but scipy.special.expit does the work: flagged, no points."""
from scipy.special import expit


def sigmoid(x):
    return expit(x)
