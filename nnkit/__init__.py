"""The kit's grading helpers: the bundled MNIST sample, the hidden-test cases, and the
record (in the student's kernel) / judge (in nbgrader's process) pair."""
