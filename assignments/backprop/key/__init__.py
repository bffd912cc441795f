"""The grader's side of `backprop`: its reference solution, the torch cross-check, anything the judge
needs beyond the default comparison. Never shown to a grading kernel (nnkit.sandbox.bwrap mounts only
the assignment's cases.py), and never copied into a release.
"""
