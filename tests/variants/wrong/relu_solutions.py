"""Imports the reference solution: flagged, no points."""
def relu(x):
    from solutions.activations import relu as reference
    return reference(x)
