"""The gradebook: where it lives, one nbgrader command, the points rule, each submission's outcome and
its state for every view."""
