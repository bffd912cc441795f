"""Chain rule with sigmoid_grad taken at y_hat instead of at the logits."""
def backward(x, y, y_hat, w, b, lr):
    dz = cross_entropy_grad(y, y_hat) * sigmoid_grad(y_hat)
    return w - lr * (x.T @ dz), b - lr * dz.sum(axis=0)
