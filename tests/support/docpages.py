"""The pages of the kit's documentation the tests hold to what the kit does (tests/docs/test_readme.py:
their command outputs; tests/docs/test_docs.py: their links, paths and modules;
tests/docs/test_page_rules.py: their sizes and the commands they tell a person to type), and how a
fenced block is found in them."""
import re

from nnkit.kernel.config import COURSE_ROOT

# The README, CONTRIBUTING and every page of docs/.
PAGES = [COURSE_ROOT / "README.md", COURSE_ROOT / "CONTRIBUTING.md", *sorted((COURSE_ROOT / "docs").glob("*.md"))]
# A reader finishes a page: no page over PAGE_BYTES, and docs/ as a whole within DOCS_BYTES.
PAGE_BYTES = 12_800  # 12.5 KiB
DOCS_BYTES = 69 * 1024
# A fenced block: its indentation (a block in a list item is indented), its info string, its text.
FENCE = re.compile(r"^( *)```([^\n`]*)\n(.*?)^\1```[ \t]*$", re.M | re.S)
