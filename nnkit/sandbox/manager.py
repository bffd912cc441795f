"""The kernel manager every grading kernel is started by (nbgrader_config.py names it): each kernel
in its sandbox (nnkit.sandbox.bwrap), with a leased uid, a runtime folder and a cgroup of its own,
and its death told in words.
"""
import os
import signal
import subprocess
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer

from nnkit.kernel import limits
from nnkit.sandbox import cgroups, state_folders, syscalls
from nnkit.sandbox.bwrap import SandboxUnavailable, command, unavailable
from nnkit.sandbox.leases import UidLease
from nnkit.sandbox.runtime import Runtime

DEATHS = {signal.SIGXCPU: f"it used up the CPU time limit ({limits.CPU_SECONDS} s per notebook)",
          signal.SIGKILL: "it was killed (out of memory?)",
          signal.SIGSEGV: "it crashed (segmentation fault)",
          signal.SIGXFSZ: f"it wrote a file over the size limit ({limits.FILE_BYTES // 2**20} MiB)",
          signal.SIGSYS: "it made a system call of another ABI (the sandbox's syscall filter)"}


def out_of_memory(limit: int) -> str:
    return f"out of memory: the limit is {limit / 2**30:g} GiB per submission"


class SandboxedKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager, starting each kernel in a sandbox of its own, with a runtime
    folder that gives it nothing (`Runtime`), its own folder at /submission after every restart,
    its stdout and stderr thrown away (it talks over its sockets; its stderr is never a file the
    grader writes, such as a worker's log), and a cgroup of its own (one per notebook: a restarted
    kernel joins the same one)."""
    submission_memory_bytes = Integer(limits.SUBMISSION_MEMORY_BYTES, config=True,
                                      help="Memory of the kernel's whole process tree (its cgroup).")

    def __init__(self, **kwargs):
        if unavailable():
            raise SandboxUnavailable(f"cannot grade in a sandbox: {unavailable()}")
        super().__init__(**kwargs)
        self.cgroup, self.oom_seen, self.usage, self.runtime, self.seccomp = None, 0, {}, None, None
        # The uid first, then its runtime folder, the cgroup last: whatever fails releases what was
        # taken before it (the batch's sweep would not remove a group of this live worker's).
        self.lease = UidLease()
        try:
            try:
                self.runtime = Runtime(self.lease.uid)
            except (state_folders.PlaceUnavailable, OSError) as error:
                raise SandboxUnavailable(f"no runtime folder for the kernel: {error}") from error
            try:
                self.cgroup = cgroups.backend().create(cgroups.Limits(
                    self.submission_memory_bytes, limits.SUBMISSION_PROCESSES, limits.SUBMISSION_CPU_WEIGHT))
            except cgroups.Unavailable as reason:
                self.log.info("%s: %s", cgroups.PER_PROCESS_ONLY, reason)
        except BaseException:
            if self.runtime is not None:
                self.runtime.remove()
            self.lease.release()
            raise
        self.transport, self.ip = "ipc", self.runtime.ip
        self.connection_file = str(self.runtime.connection_file)
        self.folder: Path | None = None

    async def _async_pre_start_kernel(self, **kw):
        self.kernel_spec.interrupt_mode = "message"  # a signal would reach bwrap, not the kernel
        if kw.get("cwd"):  # the student's folder; jupyter_client keeps it for restarts (_launch_args)
            self.folder = Path(kw["cwd"])
        if not self.runtime.check_connection_file():
            os.unlink(self.connection_file)
            self._connection_file_written = False
        self.runtime.fresh_sockets()
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        kw.update(cwd=str(self.runtime.path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                  pass_fds=() if self.seccomp is None else (self.seccomp,))
        try:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:  # bwrap has read the filter from its copy
            if self.seccomp is not None:
                os.close(self.seccomp)
                self.seccomp = None

    def _reconcile_connection_info(self, info) -> None:
        if not self.runtime.check_connection_file():  # never open what is not ours and regular
            os.unlink(self.connection_file)
            self._connection_file_written = False
        return super()._reconcile_connection_info(info)

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        kernel_cmd = super().format_kernel_cmd(extra_arguments)
        self.runtime.share_connection_file()
        self.seccomp = syscalls.descriptor() if syscalls.wanted() else None
        sandboxed = command(kernel_cmd, Runtime.view(self.runtime.path), self.folder, self.lease.uid, os.environ,
                            nproc=os.geteuid() == 0 or self.cgroup is None, seccomp=self.seccomp)
        return self.cgroup.join_command(sandboxed) if self.cgroup is not None else sandboxed

    def out_of_memory(self) -> str:
        """The message when the submission's cgroup killed a process for memory since the last call ('' if not)."""
        kills = self.cgroup.oom_kills() if self.cgroup is not None else 0
        if kills <= self.oom_seen:
            return ""
        self.oom_seen = kills
        return out_of_memory(self.cgroup.limits.memory_bytes)

    def death_reason(self) -> str:
        """Why the sandbox ended, from bwrap's exit status (128 + the signal that killed the kernel)."""
        process = getattr(self.provisioner, "process", None)
        code = process.poll() if process is not None else None
        if code is None:
            return ""
        if memory := self.out_of_memory():
            return f"the kernel died while running this cell: {memory}"
        if code > 128 and code - 128 in DEATHS:
            return f"the kernel died while running this cell: {DEATHS[code - 128]}"
        return f"the kernel died while running this cell (exit status {code}: os._exit, a crash...)"

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:  # the cgroup first (its stragglers killed), then the folder, the uid last:
            self.remove_cgroup()  # a uid is never leased again while a process of it still runs
            self.runtime.remove()
            self.lease.release()

    def remove_cgroup(self) -> None:
        """Keep what the cgroup measured (`usage`), then remove it with anything still in it."""
        group, self.cgroup = self.cgroup, None
        if group is not None:
            self.usage = {"peak_memory_bytes": group.peak_memory(), "memory_limit_bytes": group.limits.memory_bytes,
                          "oom_kills": group.oom_kills(), "peak_processes": group.peak_processes(),
                          "process_limit": group.limits.processes, "forks_refused": group.forks_refused()}
            if not group.remove():
                self.log.warning("could not remove the cgroup %s (removed by the next batch's sweep)", group.places)
