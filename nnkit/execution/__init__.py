"""Execution: one submission through nbgrader's autograde: locked cells restored, each notebook run in
its sandboxed kernel, surviving what student code does to it, every cause of failure kept as data."""
