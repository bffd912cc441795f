"""Reference solutions, one module per assignment.

Self-study readers: compare your notebook with these after you have tried. Each function's
docstring gives the contract (inputs and outputs with shapes); `tests/test_solutions.py` proves
every one against PyTorch (float64) and, for gradients, against autograd and finite differences.
The hidden tests grade your answers against these modules.
"""
