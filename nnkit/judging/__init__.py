"""Judging: which cells are hidden tests, the verdict on each recorded answer against the reference, the
integrity scan, the review events, and the nbgrader step that turns records into grades."""
