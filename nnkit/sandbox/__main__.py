"""python -m nnkit.sandbox: whether the sandbox can start here, and what it shows a kernel."""
import json

from nnkit import exits
from nnkit.sandbox import syscalls
from nnkit.sandbox.bwrap import describe, unavailable


def main() -> int:
    """Print whether the sandbox can start here, and what it gives a kernel, as JSON."""
    print(json.dumps({"unavailable": unavailable(), "syscall_filter": syscalls.status(), **describe()}, indent=2))
    return exits.OK


if __name__ == "__main__":
    exits.run(main)
