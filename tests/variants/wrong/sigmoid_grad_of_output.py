"""Treats its input as if it were already sigmoid(z): z (1 - z)."""
def sigmoid_grad(z):
    return z * (1 - z)
