"""Forgets the bias."""
def forward(x, w, b):
    return x @ w
