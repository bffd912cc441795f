"""Every user's nbgrader on the hub: the course, its exchange, and JupyterHub's groups
(nbgrader-<course>, formgrade-<course>) deciding who takes which course. The hub's spawner sets
the two variables (deploy/jupyterhub/jupyterhub_config.py)."""
import os

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = os.environ["NNKIT_COURSE_ID"]
c.Exchange.root = os.environ["NNKIT_EXCHANGE"]
c.Authenticator.plugin_class = "nbgrader.auth.JupyterHubAuthPlugin"
