"""A notebook as formgrader's submission view draws it: nbgrader's FormgradeExtension builds its
HTMLExporter from the course's nbgrader_config.py with its own 'formgrade' template."""
from nbconvert.exporters import HTMLExporter

from nnkit.collect.paths import course_config
from nnkit.kernel.config import COURSE_ROOT


def formgrader_page(notebook) -> str:
    """The page's HTML from its notebook part on (`id="notebook"`), past formgrader's own head."""
    from nbgrader.server_extensions.formgrader import handlers

    config = course_config(COURSE_ROOT)
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    page, _ = HTMLExporter(config=config).from_notebook_node(notebook, resources={
        "base_url": "", "submission_id": "s", "notebook_id": "n", "assignment_id": "a", "index": 0, "total": 1})
    return page[page.index('id="notebook"'):]
