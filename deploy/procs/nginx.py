"""Real nginx with the shipped ``deploy/nginx/dateline.conf``, on free ports, in a temporary prefix.

The shipped file is used as it is, except the lines it marks ``# dateline:<name>``, which a deployment edits too:

    upstream               the ``server`` line: one per origin given (``upstreams``)
    http-listen            ``listen <host>:<http_port>;`` (host: 127.0.0.1 unless given)
    https-listen           ``listen <host>:<https_port> ssl http2;`` (dropped with the certificate lines without TLS)
    server-name            ``server_name <server_name>;``
    ssl-certificate(-key)  the certificate and key given
    cache-path, static-cache-path   ``proxy_cache_path`` under the prefix
    media-public-root      ``alias <media_public_root>/;``

and, with ``limits=False`` (benchmarks: one client address for thousands of readers), no ``limit_req``/``limit_conn``
in the locations.

Around it, a small main config (``nginx.conf`` in the prefix) with what Debian's /etc/nginx/nginx.conf provides —
mime types, gzip — and the pid, logs and temp paths under the prefix, so a test's nginx shares nothing with the
system's. ``nginx -p <prefix> -c <prefix>/nginx.conf -g 'daemon off;'`` runs in the foreground; ``stop`` ends it.
``start`` forks nginx from the calling thread, so a thread inside a network namespace (tests/deploy/netns.py) starts
it there, and checks it listens from there too.

    with Nginx(["127.0.0.1:8001", "127.0.0.1:8002"], media_public_root=path) as proxy:
        httpx.get(proxy.url + "/live/demo/")
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "nginx" / "dateline.conf"
MARKER = re.compile(r"^(?P<indent>\s*)(?P<directive>.*?;)\s*# dateline:(?P<name>[\w-]+)\b.*$")

MAIN = """\
{user}worker_processes {workers};
worker_rlimit_nofile {files};
pid {prefix}/nginx.pid;
# After a reload (`nginx -s reload`) the old workers finish their open requests before they exit, and an SSE stream
# never finishes: without this they would hold every reader, on the old config, for as long as the reader stays.
# With it they close what is left after 10 s and readers resume on the new workers (docs/deploy.md).
worker_shutdown_timeout 10s;
error_log {prefix}/error.log notice;
events {{ worker_connections {connections}; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;  # as Debian's nginx.conf: the shipped file turns it off in its server
    gzip on;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/temp/body;
    proxy_temp_path {prefix}/temp/proxy;
    fastcgi_temp_path {prefix}/temp/fastcgi;
    uwsgi_temp_path {prefix}/temp/uwsgi;
    scgi_temp_path {prefix}/temp/scgi;
    include {prefix}/dateline.conf;
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def render(text: str, values: dict[str, list[str] | None]) -> str:
    """``text`` with each marked line replaced by ``values[name]`` (lines; None drops the line); unknown names
    stay as shipped."""
    out: list[str] = []
    for line in text.splitlines():
        match = MARKER.match(line)
        if not match or match["name"] not in values:
            out.append(line)
            continue
        replacement = values[match["name"]]
        out.extend(f"{match['indent']}{directive}" for directive in (replacement or []))
    return "\n".join(out) + "\n"


class Nginx:
    def __init__(self, upstreams: list[str], *, prefix: Path, media_public_root: Path,
                 tls: tuple[Path, Path] | None = None, server_name: str = "localhost",
                 http_port: int | None = None, https_port: int | None = None, workers: int = 1, connections: int = 4096,
                 limits: bool = True, conf: Path = SHIPPED, host: str = "127.0.0.1") -> None:
        self.prefix = prefix
        self.host = host
        self.http_port = http_port or free_port()
        self.https_port = (https_port or free_port()) if tls else None
        self.process: subprocess.Popen[bytes] | None = None
        values: dict[str, list[str] | None] = {
            "upstream": [f"server {u} max_fails=0;" for u in upstreams],
            "http-listen": [f"listen {host}:{self.http_port};"],
            "https-listen": [f"listen {host}:{self.https_port} ssl http2;"] if tls else None,
            "ssl-certificate": [f"ssl_certificate {tls[0]};"] if tls else None,
            "ssl-certificate-key": [f"ssl_certificate_key {tls[1]};"] if tls else None,
            "server-name": [f"server_name {server_name};"],
            "cache-path": [f"proxy_cache_path {prefix}/cache levels=1:2 keys_zone=dateline:10m max_size=64m "
                           "inactive=10m use_temp_path=off;"],
            "static-cache-path": [f"proxy_cache_path {prefix}/cache-static levels=1:2 keys_zone=dateline_static:5m "
                                  "max_size=64m inactive=1h use_temp_path=off;"],
            "media-public-root": [f"alias {str(media_public_root).rstrip('/')}/;"],
        }
        (prefix / "temp").mkdir(parents=True, exist_ok=True)
        text = render(conf.read_text(), values)
        if not limits:
            # Benchmarks: one client address stands for thousands of readers, which the per-address limits
            # (limit_req, limit_conn in a location) would answer with 429.
            text = re.sub(r"^\s*limit_(req|conn) (zone=|dateline_addr).*\n", "", text, flags=re.MULTILINE)
        (prefix / "dateline.conf").write_text(text)
        # As root, nginx's workers would switch to "nobody", who cannot read a test's private temp directories.
        user = "user root root;\n" if os.geteuid() == 0 else ""
        (prefix / "nginx.conf").write_text(MAIN.format(prefix=prefix, user=user, workers=workers,
                                                       connections=connections, files=2 * connections + 100))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    @property
    def https_url(self) -> str:
        assert self.https_port, "started without TLS"
        return f"https://{self.host}:{self.https_port}"

    def command(self, *extra: str) -> list[str]:
        binary = nginx_binary()
        assert binary, "nginx not installed (apt-get install -y nginx)"
        return [binary, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), *extra]

    def check(self) -> subprocess.CompletedProcess[str]:
        """``nginx -t`` on the rendered config."""
        return subprocess.run(self.command("-t"), capture_output=True, text=True)

    def start(self, timeout: float = 10) -> Nginx:
        self.process = subprocess.Popen(self.command("-g", "daemon off;"), stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"nginx exited with {self.process.returncode}: {err}{self.error_log()}")
            try:
                socket.create_connection((self.host, self.http_port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"nginx did not listen on {self.http_port}: {self.error_log()}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Fast shutdown (SIGTERM: open SSE streams are closed, not waited for); SIGKILL if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self.process.stderr:
            self.process.stderr.close()
        self.process = None

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def access_log(self) -> str:
        path = self.prefix / "access.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self) -> Nginx:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
