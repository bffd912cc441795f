"""Builds its (right) answer with exec: full marks, and flagged by the integrity scan for review."""
def cross_entropy(y, y_hat):
    scope = {"np": np, "y": y, "y_hat": y_hat, "EPS": EPS}
    exec("p = np.clip(y_hat, EPS, 1 - EPS); loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))", scope)
    return scope["loss"]
