"""The sandbox every grading kernel starts in: bubblewrap's arguments, the uid leases, the kernels'
runtime folders, a cgroup per submission, and where each kind of state lives."""
