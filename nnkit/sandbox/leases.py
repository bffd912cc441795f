"""The sandbox's users: as root, a uid leased per machine for each kernel, so that each kernel's
process limit is its own (the leases in root's own folder: nnkit.sandbox.state_folders).
"""
import fcntl
import os

from nnkit.sandbox import state_folders
from nnkit.sandbox.bwrap import SandboxUnavailable

UID_BASE, UID_SLOTS = 1_500_000, 4096  # sandbox users: far above any account's uid


class UidLease:
    """As root: a uid no other sandboxed kernel on this machine holds while this lease is open, so
    each kernel's process limit is its own. The leases are per machine, whichever course a kernel
    grades, in root's own folder (nnkit.sandbox.state_folders.machine_leases: checked, never through a link).
    As any other user there is nothing to lease: the kernel keeps the grader's own uid in its user
    namespace, and no file is touched."""

    def __init__(self):
        self.handle, self.uid = None, os.geteuid()
        if self.uid != 0:
            return
        try:
            with state_folders.machine_leases() as leases:
                for slot in range(UID_SLOTS):
                    try:
                        handle = state_folders.open_lease(leases, slot)
                    except OSError:  # not a regular file of root's: never used
                        continue
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        os.close(handle)
                        continue
                    self.handle, self.uid = handle, UID_BASE + slot
                    return
        except state_folders.PlaceUnavailable as error:
            raise SandboxUnavailable(f"no place for the sandbox's uid leases: {error}") from error
        raise SandboxUnavailable(f"all {UID_SLOTS} sandbox uids are in use (leases in {state_folders.leases_path()}): "
                                 "other grading kernels hold them")

    def release(self) -> None:
        if self.handle is not None:
            os.close(self.handle)
            self.handle = None
