"""x times the mask x > 0 (gives -0.0 for negatives, which equals 0)."""
def relu(x):
    return x * (x > 0)
