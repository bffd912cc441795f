"""`nnkit demo` (make demo): autograde every demo submission of every assignment with nbgrader and
print the grade table. release/ is never touched (it is generated from source/ and committed; the
batch enters the assignments in the gradebook from source/ on its own).
"""
import time

from nnkit import exits
from nnkit.authoring.democlass import DEMO_FIRST_LINE, demo_last_line
from nnkit.batch import cli
from nnkit.batch.summary import report_failures


def main(argv=None) -> int:
    exits.command_parser("nnkit demo", __doc__.splitlines()[0].split(": ", 1)[1], **cli.GRADE_EXITS).parse_args(argv)
    start = time.perf_counter()
    print(DEMO_FIRST_LINE, flush=True)
    with cli.stopping_failures():
        summary, failures = cli.grade_class()
    print()
    print(summary)
    print(demo_last_line(time.perf_counter() - start))
    return report_failures(failures)
