"""A grader's nbgrader on the hub: the course's own configuration (the sandbox, the sanitizer, the
kit's preprocessors), from the course folder the hub names; their server starts in that folder,
but nbgrader reads configuration from the process's working folder, their home."""
import os

load_subconfig(os.path.join(os.environ["NNKIT_COURSE"], "nbgrader_config.py"))  # noqa: F821  (traitlets)
# Each student is a Unix user here: a submission in a folder another user owns is not theirs.
c = get_config()  # noqa: F821
c.SafeCollect.refuse_foreign = True
