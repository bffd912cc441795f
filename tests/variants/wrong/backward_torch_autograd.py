"""Right step, computed by torch autograd: flagged, no points."""
import torch


def backward(x, y, y_hat, w, b, lr):
    w_t, b_t = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    p = torch.sigmoid(torch.tensor(x) @ w_t + b_t)
    torch.nn.functional.binary_cross_entropy(p, torch.tensor(y)).backward()
    return (w_t - lr * w_t.grad).detach().numpy(), (b_t - lr * b_t.grad).detach().numpy()
