"""Right values, but it zeroes the negatives of the caller's array."""
def relu(x):
    x[x < 0] = 0
    return x
