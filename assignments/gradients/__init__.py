"""The assignment `gradients`."""
