"""Steps up the gradient instead of down."""
def backward(x, y, y_hat, w, b, lr):
    dz = (y_hat - y) / len(y)
    return w + lr * (x.T @ dz), b + lr * dz.sum(axis=0)
