"""A real PostgreSQL server for the tests, private to the test session: its own data folder and
socket under /tmp, trust authentication, no TCP. Debian's server (`make test` installs it).
The server refuses to run as root, so as root it runs as the `postgres` user."""
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def server_bin(initdb: str) -> Path:
    """The folder of the server's programs, from the path of its initdb."""
    return Path(initdb).parent


class PostgresServer:
    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="nnkit-postgres-"))
        self.data = self.folder / "data"
        with socket.socket() as s:  # a free port number also names the socket file
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.as_user = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bin / program), *args], check=True, capture_output=True, text=True)

    def start(self) -> "PostgresServer":
        self.run("initdb", "-D", str(self.data), "-U", "grader", "--auth=trust", "-E", "UTF8")
        options = f"-k {self.folder} -p {self.port} -c listen_addresses='' -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"), "-w", "start")
        return self

    def create_database(self, name: str) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        self.run("createdb", "-h", str(self.folder), "-p", str(self.port), "-U", "grader", name)
        return f"postgresql+psycopg2://grader@/{name}?host={self.folder}&port={self.port}"

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
