"""Chain rule through the student's own functions, updating copies in place."""
def backward(x, y, y_hat, w, b, lr):
    dz = cross_entropy_grad(y, y_hat) * sigmoid_grad(forward(x, w, b))
    w_new, b_new = w.copy(), b.copy()
    w_new -= lr * (x.T @ dz)
    b_new -= lr * dz.sum(axis=0)
    return w_new, b_new
