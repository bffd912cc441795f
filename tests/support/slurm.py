"""A real one-node Slurm cluster for the tests, private to the test: Debian's slurm-wlm (22.05) and
munge (`make test` installs them, system-packages.txt), every daemon started here in the foreground
and stopped by its process id.

Everything is the cluster's own: a folder under /tmp (slurm.conf, cgroup.conf, the controller's
state, the node's spool, logs, the job-completion log), a munge key and socket of its own, two free
loopback ports, a random first job id (so that two clusters on one machine never name the same
job: v1 cgroups are named by uid and job), a cluster name of its own. No slurmdbd: Slurm's record
of a job is `scontrol show job` (kept an hour, MinJobAge) and the jobcomp/filetxt log.

Process tracking and task containment follow the machine's cgroup version (`cgroup_plugins`):
proctrack/cgroup and task/cgroup with cgroup/v1 or cgroup/v2; proctrack/linuxproc and task/none
where no cgroup hierarchy Slurm can use is mounted."""
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

START_SECONDS = 120  # daemons starting on a loaded 2-core machine: wide
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY",
                "BOOT_FAIL", "DEADLINE"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cgroup_plugins(root: Path = Path("/sys/fs/cgroup")) -> dict:
    """slurm.conf's ProctrackType and TaskPlugin, and cgroup.conf's CgroupPlugin, for this machine:
    v2 when the unified hierarchy is mounted at `root` (Slurm's own autodetection), v1 when the
    freezer (proctrack) and cpuset (task) hierarchies are, none otherwise."""
    if (root / "cgroup.controllers").exists():
        return {"ProctrackType": "proctrack/cgroup", "TaskPlugin": "task/cgroup", "CgroupPlugin": "cgroup/v2"}
    if (root / "freezer").is_dir() and (root / "cpuset").is_dir():
        return {"ProctrackType": "proctrack/cgroup", "TaskPlugin": "task/cgroup", "CgroupPlugin": "cgroup/v1"}
    return {"ProctrackType": "proctrack/linuxproc", "TaskPlugin": "task/none", "CgroupPlugin": None}


class SlurmCluster:
    """munged, slurmctld and slurmd on this machine, on loopback. `start()`, then `sbatch`es by
    any user with `env()` in their environment, then `stop()`."""

    def __init__(self, cpus: int | None = None, plugins: dict | None = None):
        self.folder = Path(tempfile.mkdtemp(prefix="nnkit-slurm-"))
        self.folder.chmod(0o755)  # clients of every user read slurm.conf and reach munge's socket
        self.name = f"nnkit{secrets.token_hex(3)}"
        self.node = socket.gethostname().split(".")[0]
        self.cpus = cpus or os.cpu_count() or 1
        self.plugins = plugins or cgroup_plugins()
        self.conf = self.folder / "slurm.conf"
        self.jobcomp = self.folder / "jobcomp.log"
        self.daemons: dict[str, subprocess.Popen] = {}
        self.first_job = 1000 + secrets.randbelow(60_000_000)  # under MaxJobId's default, 67043328

    # --- configuration ------------------------------------------------------------------------
    def write_config(self) -> None:
        munge, key = self.folder / "munge", self.folder / "munge-key"
        munge.mkdir(mode=0o755)  # munged refuses a socket folder others cannot enter
        key.mkdir(mode=0o700)
        with open(key / "munge.key", "wb") as out:
            out.write(secrets.token_bytes(1024))
        (key / "munge.key").chmod(0o400)
        for sub in ("state", "spool"):
            (self.folder / sub).mkdir(mode=0o755)
        lines = {
            "ClusterName": self.name,
            "SlurmctldHost": f"{self.node}(127.0.0.1)",
            "SlurmctldPort": free_port(), "SlurmdPort": free_port(),
            "SlurmUser": "root", "SlurmdUser": "root",
            "AuthType": "auth/munge", "CredType": "cred/munge",
            "AuthInfo": f"socket={munge / 'socket'}",
            "StateSaveLocation": self.folder / "state", "SlurmdSpoolDir": self.folder / "spool",
            "SlurmctldPidFile": self.folder / "slurmctld.pid", "SlurmdPidFile": self.folder / "slurmd.pid",
            "SlurmctldLogFile": self.folder / "slurmctld.log", "SlurmdLogFile": self.folder / "slurmd.log",
            "SlurmctldDebug": "info", "SlurmdDebug": "info",
            "ProctrackType": self.plugins["ProctrackType"], "TaskPlugin": self.plugins["TaskPlugin"],
            "SelectType": "select/cons_tres", "SelectTypeParameters": "CR_Core",
            "SchedulerType": "sched/builtin",
            "MpiDefault": "none", "ReturnToService": 2,
            "FirstJobId": self.first_job,
            "MinJobAge": 3600,  # completed jobs stay in scontrol's view for the whole test
            "KillWait": 5,  # SIGTERM, then SIGKILL 5 s later (cancel, time limit)
            "InactiveLimit": 0, "Waittime": 0,
            "JobCompType": "jobcomp/filetxt", "JobCompLoc": self.jobcomp,
            "AccountingStorageType": "accounting_storage/none", "JobAcctGatherType": "jobacct_gather/none",
        }
        text = "".join(f"{key}={value}\n" for key, value in lines.items())
        text += f"NodeName={self.node} NodeAddr=127.0.0.1 CPUs={self.cpus} State=UNKNOWN\n"
        text += "PartitionName=grading Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n"
        self.conf.write_text(text)
        cgroup = "" if self.plugins["CgroupPlugin"] is None else (
            f"CgroupPlugin={self.plugins['CgroupPlugin']}\nConstrainCores=yes\n")
        if self.plugins["CgroupPlugin"] == "cgroup/v2":  # no systemd to ask for a scope: slurmd makes its own
            cgroup += "IgnoreSystemd=yes\nCgroupAutomount=yes\n"
        (self.folder / "cgroup.conf").write_text(cgroup)

    def env(self) -> dict:
        """What a Slurm client (sbatch, scontrol, scancel) needs in its environment to use this cluster."""
        return {"SLURM_CONF": str(self.conf)}

    # --- the daemons ----------------------------------------------------------------------------
    def start(self) -> "SlurmCluster":
        self.write_config()
        key = self.folder / "munge-key"
        self.spawn("munged", ["munged", "--foreground", "--socket", str(self.folder / "munge" / "socket"),
                              "--key-file", str(key / "munge.key"), "--seed-file", str(key / "seed"),
                              "--pid-file", str(self.folder / "munge" / "munged.pid"), "--num-threads", "2"])
        self.wait_for(lambda: (self.folder / "munge" / "socket").exists(), "munged made its socket")
        self.spawn("slurmctld", ["slurmctld", "-D", "-f", str(self.conf)])
        self.wait_for(lambda: self.scontrol("ping").returncode == 0 and "UP" in self.scontrol("ping").stdout,
                      "slurmctld answers scontrol ping")
        self.start_slurmd()
        return self

    def start_slurmd(self) -> None:
        """slurmd, until it has registered with the controller (a restart: once more)."""
        log = self.folder / "slurmd.log"
        before = log.read_text().count("slurmd started on") if log.exists() else 0
        self.spawn("slurmd", ["slurmd", "-D", "-f", str(self.conf), "-N", self.node])
        self.wait_for(lambda: log.exists() and log.read_text().count("slurmd started on") > before
                      and self.node_state() in ("IDLE", "MIXED", "ALLOCATED"), "the node is up")

    def spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.folder / f"{name}.out", "ab")
        self.daemons[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                              env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", **self.env()})
        log.close()

    def wait_for(self, ready, what: str) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            dead = [f"{name} exited {p.returncode}" for name, p in self.daemons.items() if p.poll() is not None]
            if dead:
                raise RuntimeError(f"{', '.join(dead)} before {what}:\n{self.logs()}")
            if ready():
                return
            time.sleep(0.3)
        raise RuntimeError(f"not ready after {START_SECONDS} s: {what}:\n{self.logs()}")

    def logs(self) -> str:
        parts = []
        for name in ("munged.out", "slurmctld.out", "slurmctld.log", "slurmd.out", "slurmd.log"):
            path = self.folder / name
            if path.exists():
                parts.append(
                    f"--- {name} (last lines)\n" + "\n".join(path.read_text(errors="replace").splitlines()[-25:])
                )
        return "\n".join(parts)

    def kill_slurmd(self) -> None:
        """The node daemon killed (SIGKILL), as a crash kills it: its jobs' slurmstepd live on."""
        process = self.daemons.pop("slurmd")
        process.kill()
        process.wait()

    def stop(self) -> None:
        """Every job cancelled (a slurmd that stops leaves its jobs' slurmstepd running), then every
        daemon, by its process id: slurmd first, munged last."""
        if {"slurmctld", "slurmd"} <= set(self.daemons):
            jobs = self.run("squeue", "-h", "-o", "%A").stdout.split()
            if jobs:
                self.run("scancel", *jobs)
            deadline = time.monotonic() + 60
            while self.run("squeue", "-h", "-o", "%A").stdout.split() and time.monotonic() < deadline:
                time.sleep(1)
        for name in ("slurmd", "slurmctld", "munged"):
            process = self.daemons.pop(name, None)
            if process is None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- clients, as root ---------------------------------------------------------------------
    def run(self, *argv: str, check: bool = False) -> subprocess.CompletedProcess:
        result = subprocess.run(list(argv), env={"PATH": "/usr/bin:/bin", **self.env()}, capture_output=True,
                                text=True, timeout=60)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}: {result.stderr}")
        return result

    def scontrol(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("scontrol", *args)

    def node_state(self) -> str:
        shown = self.scontrol("show", "node", self.node, "-o").stdout
        fields = dict(f.split("=", 1) for f in shown.split() if "=" in f)
        return fields.get("State", "").split("+")[0]

    def jobs(self, job: str) -> list[dict]:
        """`scontrol show job` of a job (an array: every task), one dict of fields per job record."""
        shown = self.scontrol("show", "job", "-o", job).stdout
        return [dict(f.split("=", 1) for f in line.split() if "=" in f) for line in shown.splitlines() if line.strip()]

    def wait_done(self, job: str, seconds: float = 900) -> list[dict]:
        """Wait until every record of a job is in a final state; its records."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            records = self.jobs(job)
            if records and all(r.get("JobState") in FINAL_STATES for r in records):
                return records
            time.sleep(1)
        raise TimeoutError(f"job {job} not done after {seconds} s: {self.jobs(job)}\n{self.logs()}")

    def completions(self) -> list[dict]:
        """The job-completion log (jobcomp/filetxt), one dict per finished job."""
        if not self.jobcomp.exists():
            return []
        return [dict(f.split("=", 1) for f in line.split() if "=" in f)
                for line in self.jobcomp.read_text().splitlines() if line.strip()]
