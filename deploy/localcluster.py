"""The deployment of deploy/nginx.conf on one machine: nginx in front of gunicorn nodes that share one
PostgreSQL database and one Redis. tests/test_cluster.py and bench/bench_cluster.py start it with
`Cluster`; an operator renders the proxy configuration with

    python -m deploy.localcluster nginx-conf --node 10.0.5.11:8000 --node 10.0.5.12:8000 \\
        --listen "443 ssl" --server-name veerkracht.example.nl --certificate ... --key ...

Every process runs in the foreground as a child of this one (nginx with `daemon off`), in a temporary
folder, on free ports; `Cluster.stop()` ends exactly the processes it started.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
MIME_TYPES = "/etc/nginx/mime.types"
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STARTUP_SECONDS = 60.0


def render_nginx_conf(nodes: list[str], *, listen: str = "80", prefix: str = "/run/veerkracht-nginx",
                      daemon: str = "on", server_name: str = "_", certificate: str | None = None,
                      key: str | None = None, trusted_proxy: str | None = None, pages: str = str(DEPLOY)) -> str:
    """deploy/nginx.conf filled in: one upstream `server` line per node."""
    if not nodes:
        raise ValueError("at least one node (host:port)")
    environment = Environment(loader=FileSystemLoader(DEPLOY), undefined=StrictUndefined,  # noqa: S701 - not HTML
                              keep_trailing_newline=True)
    return environment.get_template("nginx.conf").render(
        nodes=nodes, listen=listen, prefix=prefix, daemon=daemon, server_name=server_name, certificate=certificate,
        key=key, trusted_proxy=trusted_proxy, pages=pages, mime_types=MIME_TYPES)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def missing_services(admin_url: str, redis_url: str) -> list[str]:
    """What this machine lacks for the set-up (empty: all there), in words for a skip reason."""
    missing = []
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        missing.append("nginx (apt-get install nginx-light)")
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001 - any failure means: no Redis here
        missing.append(f"Redis at {redis_url} ({type(error).__name__})")
    try:
        import psycopg

        psycopg.connect(_libpq(admin_url), connect_timeout=3).close()
    except Exception as error:  # noqa: BLE001
        missing.append(f"PostgreSQL at {admin_url} ({type(error).__name__})")
    return missing


def _libpq(url: str) -> str:
    """postgresql+psycopg://... → postgresql://... (what psycopg itself accepts)."""
    return re.sub(r"^postgresql\+psycopg://", "postgresql://", url)


def _nginx() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


# --- a tiny browser ------------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Browser:
    """One person's browser: a cookie jar shared by every address on 127.0.0.1 (as a browser shares
    cookies between ports of one host), requests to whichever base URL is given (proxy or a node)."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def copy(self) -> "Browser":
        return Browser(self.base, dict(self.cookies), dict(self.headers))

    def request(self, method: str, path: str, body: dict | None = None, base: str | None = None,
                timeout: float = 30) -> Reply:
        url = urlsplit(base or self.base)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
        headers = {"User-Agent": "veerkracht-cluster/1", **self.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        payload = None
        if body is not None:
            payload = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    for morsel in SimpleCookie(value).values():
                        if morsel["max-age"] == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970"):
                            self.cookies.pop(morsel.key, None)
                        else:
                            self.cookies[morsel.key] = morsel.value
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
        finally:
            connection.close()

    def get(self, path: str, base: str | None = None) -> Reply:
        return self.request("GET", path, base=base)

    def csrf_token(self, base: str | None = None) -> str:
        return TOKEN_RE.search(self.get("/geen-pagina", base=base).text).group(1)

    def post_form(self, path: str, data: dict | None = None, base: str | None = None) -> Reply:
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(base))
        return self.request("POST", path, data, base=base)

    def log_in(self, username: str, password: str, base: str | None = None) -> Reply:
        return self.post_form("/inloggen", {"username": username, "password": password}, base=base)


# --- the set-up ----------------------------------------------------------------------------------

@dataclass
class Node:
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Cluster:
    """nginx + `nodes` gunicorn nodes (each `workers` sync workers) on a fresh PostgreSQL database."""

    def __init__(self, workdir: Path, admin_url: str, redis_url: str, nodes: int = 2, workers: int = 1,
                 extra_env: dict[str, str] | None = None, trusted_proxy: str | None = None):
        self.workdir = Path(workdir)
        self.admin_url = admin_url
        self.redis_url = redis_url
        self.run_id = secrets.token_hex(4)
        self.database = f"cluster_{os.getpid()}_{self.run_id}"
        self.database_url = re.sub(r"/[^/]*$", f"/{self.database}", admin_url)
        self.workers = workers
        self.trusted_proxy = trusted_proxy
        self.secret_key = secrets.token_hex(32)  # the same on every node: each reads the others' cookies
        self.metrics_token = secrets.token_hex(16)
        self.proxy_port = free_port()
        self.nginx: subprocess.Popen | None = None
        self.nginx_prefix = self.workdir / "nginx"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "WERKZEUG_"))},
            "FLASK_APP": "webapp",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": redis_url,
            # Several installs (or test runs) may share one Redis: each counts under its own prefix.
            "RATELIMIT_KEY_PREFIX": f"veerkracht-{self.run_id}:",
            "SECRET_KEY": self.secret_key,
            "PROXY_FIX": "1",
            "PUBLIC_URL": self.url,
            "METRICS_TOKEN": self.metrics_token,
            "WEB_CONCURRENCY": str(workers),
            "BACKUP_DIR": str(self.workdir / "backups"),
            **(extra_env or {}),
        }
        self.nodes = [self._node(i) for i in range(nodes)]
        self._database_created = False

    def _node(self, index: int) -> Node:
        env = dict(self.env, PROMETHEUS_MULTIPROC_DIR=str(self.workdir / f"metrics-{index}"))
        return Node(free_port(), env, self.workdir / f"node-{index}.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    # database ------------------------------------------------------------------------------------
    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(_libpq(self.admin_url), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.database}"')
        self._database_created = True

    def drop_database(self) -> None:
        import psycopg

        if not self._database_created:
            return
        with psycopg.connect(_libpq(self.admin_url), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self._database_created = False

    def sql(self, query: str, *params) -> list[tuple]:
        """Read the cluster's database directly (what the nodes wrote)."""
        import psycopg

        with psycopg.connect(_libpq(self.database_url)) as connection:
            return connection.execute(query, params).fetchall()

    def cron_env(self, node: int) -> dict[str, str]:
        """A node's environment as its cron jobs get it: PROMETHEUS_MULTIPROC_DIR is gunicorn's only."""
        return {k: v for k, v in self.nodes[node].env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}

    def flask(self, *args: str, node: int = 0, timeout: float = 180) -> subprocess.CompletedProcess:
        """`flask --app webapp ...` as cron on that node would run it."""
        return subprocess.run([str(BIN / "flask"), "--app", "webapp", *args], cwd=ROOT, env=self.cron_env(node),
                              capture_output=True, text=True, timeout=timeout, check=False)

    def flask_async(self, *args: str, node: int = 0) -> subprocess.Popen:
        return subprocess.Popen([str(BIN / "flask"), "--app", "webapp", *args], cwd=ROOT, env=self.cron_env(node),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def migrate(self) -> None:
        done = self.flask("db", "upgrade")
        if done.returncode != 0:
            raise RuntimeError(f"flask db upgrade failed:\n{done.stderr[-3000:]}")

    def seed(self, **options) -> dict:
        """Create residents in the database (see `seed` below); returns what it made."""
        args = [str(BIN / "python"), "-m", "deploy.localcluster", "seed"]
        for name, value in options.items():
            flag = "--" + name.replace("_", "-")
            if value is True:
                args.append(flag)
            elif value not in (None, False):
                args += [flag, str(value)]
        done = subprocess.run(args, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"seeding failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout)

    # processes -----------------------------------------------------------------------------------
    def start_node(self, index: int) -> None:
        node = self.nodes[index]
        command = [str(BIN / "gunicorn"), "-w", str(self.workers), "--preload", "-b", f"127.0.0.1:{node.port}",
                   "--graceful-timeout", "5", "webapp:create_app()"]
        with node.log.open("ab") as log:
            # Its own process group: kill_node() stops the master and its workers at once, like a
            # machine that goes down.
            node.process = subprocess.Popen(command, cwd=ROOT, env=node.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def kill_node(self, index: int, sig: int = signal.SIGKILL) -> None:
        process = self.nodes[index].process
        if process is not None and process.poll() is None:
            os.killpg(process.pid, sig)
            process.wait(timeout=30)

    def write_nginx_conf(self) -> Path:
        for sub in ("", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.nginx_prefix / sub).mkdir(parents=True, exist_ok=True)
        self.nginx_prefix.chmod(0o755)
        self.workdir.chmod(0o755)  # nginx's workers (user nobody) write temporary files below it
        conf = self.nginx_prefix / "nginx.conf"
        conf.write_text(render_nginx_conf([f"127.0.0.1:{n.port}" for n in self.nodes],
                                          listen=f"127.0.0.1:{self.proxy_port}", prefix=str(self.nginx_prefix),
                                          daemon="off", trusted_proxy=self.trusted_proxy))
        return conf

    def start_nginx(self) -> None:
        conf = self.write_nginx_conf()
        test = subprocess.run([_nginx(), "-t", "-q", "-c", str(conf), "-p", str(self.nginx_prefix),
                               "-e", str(self.nginx_prefix / "error.log")],
                              capture_output=True, text=True, check=False)
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t refused the configuration:\n{test.stderr}")
        with (self.nginx_prefix / "stderr.log").open("ab") as stderr:
            self.nginx = subprocess.Popen(
                [_nginx(), "-c", str(conf), "-p", str(self.nginx_prefix), "-e", str(self.nginx_prefix / "error.log")],
                stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)

    def wait_healthy(self, base: str, timeout: float = STARTUP_SECONDS,
                     process: subprocess.Popen | None = None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{base} stopped at start-up (exit {process.returncode})")
            try:
                if Browser(base).get("/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{base} did not answer /healthz within {timeout:.0f} s")

    def start(self) -> None:
        """Everything, in order: database, schema, nodes, proxy; each answers /healthz."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.create_database()
        self.migrate()

    def start_servers(self) -> None:
        for index in range(len(self.nodes)):
            self.start_node(index)
        for node in self.nodes:
            self.wait_healthy(node.url, process=node.process)
        self.start_nginx()
        self.wait_healthy(self.url, process=self.nginx)

    def metric(self, index: int, name: str) -> float:
        """The sum of a Prometheus metric's samples on one node (all its workers)."""
        browser = Browser(self.nodes[index].url, headers={"Authorization": f"Bearer {self.metrics_token}"})
        reply = browser.get("/metrics")
        if reply.status != 200:
            raise RuntimeError(f"/metrics answered {reply.status}")
        total = 0.0
        for line in reply.text.splitlines():
            if line.startswith(name) and not line.startswith("#"):
                sample = line.split(" ")[0].split("{")[0]
                if sample == name:
                    total += float(line.rsplit(" ", 1)[1])
        return total

    def access_log(self) -> list[str]:
        log = self.nginx_prefix / "access.log"
        return log.read_text(errors="replace").splitlines() if log.exists() else []

    def node_log(self, index: int) -> str:
        return self.nodes[index].log.read_text(errors="replace") if self.nodes[index].log.exists() else ""

    def stop(self) -> None:
        """Stop what this cluster started (by process id), then drop its database and Redis keys."""
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: the master stops its workers
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.nginx.pid, signal.SIGKILL)
                self.nginx.wait()
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                os.killpg(node.process.pid, signal.SIGTERM)
                try:
                    node.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(node.process.pid, signal.SIGKILL)
                    node.process.wait()
        try:
            self.drop_database()
        finally:
            self._forget_redis_keys()

    def _forget_redis_keys(self) -> None:
        try:
            import redis

            client = redis.Redis.from_url(self.redis_url)
            prefix = self.env["RATELIMIT_KEY_PREFIX"]
            # Flask-Limiter's keys (LIMITS:LIMITER/<prefix>...) and the login throttle's (LIMITS:<prefix>...).
            for pattern in (f"LIMITS:LIMITER/{prefix}*", f"LIMITS:{prefix}*", f"{prefix}*"):
                for key in client.scan_iter(pattern):
                    client.delete(key)
        except Exception:  # noqa: BLE001, S110 - the keys expire on their own within the hour
            pass


# --- seeding (runs in a child process with the nodes' environment) --------------------------------

def seed(residents: int, password: str, checkins: int, due_reminders: bool, email_domain: str,
         username_prefix: str) -> dict:
    """Residents with `password`, each with `checkins` finished check-ins (the newest 49 days ago
    after a life-event: a reminder is due); with `due_reminders`, each wants an e-mail reminder at a
    verified address. Returns their usernames and the check-ins' public ids, and the form's items."""
    from datetime import UTC, datetime, timedelta

    from webapp import create_app
    from webapp.core.definitions import current_questionnaire
    from webapp.core.extensions import db
    from webapp.core.models import Answer, Checkin, Resident, User
    from webapp.core.passwords import hash_password

    app = create_app()
    made = []
    with app.app_context():
        password_hash = hash_password(password)  # production cost, once: every resident shares it
        questionnaire = current_questionnaire()
        items = questionnaire.form_item_ids("kort")
        now = datetime.now(UTC)
        for n in range(residents):
            username = f"{username_prefix}{n}"
            user = User(username=username, password_hash=password_hash)
            db.session.add(user)
            db.session.flush()
            resident = Resident(user_id=user.id)
            db.session.add(resident)
            db.session.flush()
            if due_reminders:
                user.email, user.email_verified_at = f"{username}@{email_domain}", now
                resident.reminder = "email"
            ids = []
            for k in range(checkins):
                completed = now - timedelta(days=49 + 30 * (checkins - 1 - k))
                checkin = Checkin(resident_id=resident.id, questionnaire_id=questionnaire.id,
                                  questionnaire_version=questionnaire.version, form="kort",
                                  life_event="overlijden_naaste", started_at=completed, completed_at=completed,
                                  answers=[Answer(item_id=i, score=(n + k + j) % 11)
                                           for j, i in enumerate(sum(items.values(), []))])
                db.session.add(checkin)
                db.session.flush()
                ids.append(checkin.public_id)
            made.append({"username": username, "user": user.public_id, "resident": resident.public_id,
                         "checkins": ids})
        db.session.commit()
    return {"residents": made, "items": items}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.localcluster", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    conf = commands.add_parser("nginx-conf", help="print deploy/nginx.conf filled in")
    conf.add_argument("--node", action="append", required=True, help="host:port of a gunicorn node (repeat)")
    conf.add_argument("--listen", default="80")
    conf.add_argument("--server-name", default="_")
    conf.add_argument("--certificate")
    conf.add_argument("--key")
    conf.add_argument("--trusted-proxy", help="address of a load balancer in front whose X-Forwarded-For is believed")
    conf.add_argument("--prefix", default="/run/veerkracht-nginx", help="pid, logs and temporary files")
    conf.add_argument("--daemon", default="on", choices=("on", "off"))
    conf.add_argument("--pages", default=str(DEPLOY), help="the folder of unavailable.html (default: deploy/)")
    made = commands.add_parser("seed", help="residents for the cluster test and benchmark (DATABASE_URL)")
    made.add_argument("--residents", type=int, default=1)
    made.add_argument("--password", required=True)
    made.add_argument("--checkins", type=int, default=1)
    made.add_argument("--due-reminders", action="store_true")
    made.add_argument("--email-domain", default="example.org")
    made.add_argument("--username-prefix", default="bewoner")
    args = parser.parse_args(argv)
    if args.command == "nginx-conf":
        sys.stdout.write(render_nginx_conf(args.node, listen=args.listen, prefix=args.prefix, daemon=args.daemon,
                                           server_name=args.server_name, certificate=args.certificate,
                                           key=args.key, trusted_proxy=args.trusted_proxy, pages=args.pages))
    else:
        print(json.dumps(seed(args.residents, args.password, args.checkins, args.due_reminders, args.email_domain,
                              args.username_prefix)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
