"""Right step, but it updates the caller's w and b in place."""
def backward(x, y, y_hat, w, b, lr):
    dz = (y_hat - y) / len(y)
    w -= lr * (x.T @ dz)
    b -= lr * dz.sum(axis=0)
    return w, b
