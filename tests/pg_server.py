"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, a free TCP port on 127.0.0.1,
no fsync. Started once per test session; each test gets a fresh empty database in it.

PIXFLOW_TEST_POSTGRES_URL (postgresql://user[:password]@host:port/postgres, a role allowed to create databases)
uses an existing server instead. When neither works, `start()` says why, and the PostgreSQL half of the
backend-parametrised tests is skipped with that reason.
"""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "pg-test-Secret-7"  # the trust cluster ignores it; tests check it never reaches any output


class NoServer(RuntimeError):
    pass


def _bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb") or shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise NoServer("PostgreSQL is not installed (no initdb); install it (apt-get install postgresql)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    admin_url: str
    folder: Path | None = None
    run_as: list[str] = field(default_factory=list)
    bin_dir: Path | None = None
    _names: itertools.count = field(default_factory=itertools.count)

    def base(self) -> str:
        return self.admin_url.rsplit("/", 1)[0]

    template: str | None = None

    def create_database(self, *, migrated: bool = True) -> str:
        """A new database, migrated and seeded like a first start (a copy of one made once per session: a
        migration per test would double the PostgreSQL run) or empty; its URL (with a password, so tests can
        check it is never shown)."""
        import psycopg

        if migrated and self.template is None:
            self.template = self._migrated_template()
        name = f"pixflow_test_{os.getpid()}_{next(self._names)}"
        source = f' TEMPLATE "{self.template}"' if migrated else ""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{source}')
        return f"{self.base()}/{name}"

    def drop_database(self, url: str) -> None:
        """Drop a test's database (a copy is ~8 MB: left behind, a run's hundreds would fill the disk)."""
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')

    def _migrated_template(self) -> str:
        from pixflow_tui.config import Settings
        from pixflow_tui.store.db import open_database

        url = self.create_database(migrated=False)
        db, _ = open_database(url, Settings(home=Path("."), config_path=Path(".")).user)
        db.close()
        return url.rsplit("/", 1)[1]

    def stop(self) -> None:
        if self.folder is None or self.bin_dir is None:
            return
        subprocess.run([*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
                        "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


_PREFIX = "pixflow-pg-"


def _reap_orphans(bin_dir: Path) -> None:
    """Stop the clusters of earlier test sessions that were killed before their teardown (a timeout's SIGKILL)."""
    for owner in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*/owner-pid"):
        try:
            os.kill(int(owner.read_text()), 0)
            continue  # that session still runs
        except ProcessLookupError:
            pass
        except (ValueError, PermissionError, OSError):
            continue
        run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        Server(admin_url="", folder=owner.parent, run_as=run_as, bin_dir=bin_dir).stop()


def start() -> Server:
    """Start a cluster (or use PIXFLOW_TEST_POSTGRES_URL); raise NoServer with the reason when impossible."""
    given = os.environ.get("PIXFLOW_TEST_POSTGRES_URL")
    if given:
        return Server(admin_url=given)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise NoServer("the PostgreSQL driver is not installed (pip install 'pixflow-tui[postgres]')") from None
    bin_dir = _bin_dir()
    run_as: list[str] = []
    _reap_orphans(bin_dir)
    folder = Path(tempfile.mkdtemp(prefix=_PREFIX))
    (folder / "owner-pid").write_text(str(os.getpid()))
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise NoServer("running as root and there is no 'postgres' user to run the server as") from None
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    server = Server(admin_url=f"postgresql://pixflow:{PASSWORD}@127.0.0.1:{port}/postgres", folder=folder,
                    run_as=run_as, bin_dir=bin_dir)
    init = subprocess.run([*run_as, str(bin_dir / "initdb"), "-D", str(folder / "data"), "-A", "trust",
                           "-U", "pixflow", "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8"],
                          capture_output=True, text=True, timeout=180)
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise NoServer(f"initdb failed: {(init.stderr or init.stdout).strip()[-300:]}")
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=100")
    started = subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-o", options,
                              "-l", str(folder / "server.log"), "-w", "-t", "60", "start"],
                             capture_output=True, text=True, timeout=120)
    if started.returncode != 0:
        log = (folder / "server.log").read_text(errors="replace")[-300:] if (folder / "server.log").exists() else ""
        server.stop()
        raise NoServer(f"pg_ctl start failed: {(started.stderr or started.stdout).strip()[-200:]} {log}")
    _wait_ready(server)
    return server


def _wait_ready(server: Server, timeout: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(server.admin_url, connect_timeout=2).close()
            return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                server.stop()
                raise NoServer(f"the server did not accept connections: {exc}") from None
            time.sleep(0.1)
