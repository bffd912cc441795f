"""`nnkit sandbox`: whether the sandbox can start here, and what it shows a kernel."""
import json

from nnkit import exits
from nnkit.sandbox import syscalls
from nnkit.sandbox.bwrap import describe, unavailable


def main(argv=None) -> int:
    """Print whether the sandbox can start here, and what it gives a kernel, as JSON."""
    exits.command_parser("nnkit sandbox", "Print, as JSON, whether the sandbox can start here (\"unavailable\": why "
                         "not) and what it gives a kernel.", ok="printed (whether or not the sandbox can start)",
                         cannot_check="a bad argument").parse_args(argv)
    print(json.dumps({"unavailable": unavailable(), "syscall_filter": syscalls.status(), **describe()}, indent=2))
    return exits.OK
