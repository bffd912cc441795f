"""1 - sigmoid(z)**2: the derivative of tanh, not of the sigmoid."""
def sigmoid_grad(z):
    s = sigmoid(z)
    return 1 - s**2
