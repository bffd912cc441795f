"""sigma (1 + sigma) instead of sigma (1 - sigma)."""
def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 + s)
