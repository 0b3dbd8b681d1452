"""Debian's Pushpin with the shipped ``deploy/pushpin/pushpin.conf``, on free ports, in a temporary directory.

The shipped file is used as it is, except the keys a deployment sets (``rundir``, ``logdir``, ``http_port``,
``sig_key``, the routes file) and the handler's ports, which a test moves to free ones so that it shares nothing with
a Pushpin already running here:

    with Pushpin("127.0.0.1:8001", key="k", prefix=tmp) as proxy:
        proxy.url           # where readers connect (http_port)
        proxy.publish_url   # DATELINE_GRIP_URL for the origin
"""

from __future__ import annotations

import configparser
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "pushpin"


def pushpin_binary() -> str | None:
    return shutil.which("pushpin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def zurl_text(prefix: Path) -> str:
    """The shipped zurl config with its sockets in this run's directory (pushpin.conf's zurl specs follow)."""
    return (SHIPPED / "zurl.conf").read_text().replace("/var/run/pushpin/", f"{prefix / 'run'}/")


def config_text(prefix: Path, key: str, http_port: int, ports: dict[str, int],
                overrides: dict[str, dict[str, str]] | None = None) -> str:
    """The shipped config with this run's paths, key and ports (and ``overrides``, section -> key -> value)."""
    ini = configparser.RawConfigParser(interpolation=None, comment_prefixes=("#",), inline_comment_prefixes=None)
    ini.optionxform = str  # type: ignore[assignment,method-assign]  # keys as written
    ini.read(SHIPPED / "pushpin.conf")
    ini["global"]["rundir"] = str(prefix / "run")
    ini["global"]["ipc_prefix"] = f"dl{http_port}-"
    ini["runner"]["http_port"] = str(http_port)
    ini["runner"]["logdir"] = str(prefix / "log")
    ini["proxy"]["routesfile"] = str(prefix / "routes")
    ini["proxy"]["sig_key"] = key
    ini["handler"]["push_in_spec"] = f"tcp://127.0.0.1:{ports['push_in']}"
    ini["handler"]["push_in_sub_specs"] = f"tcp://127.0.0.1:{ports['push_in_sub']}"
    ini["handler"]["push_in_http_port"] = str(ports["publish"])
    ini["handler"]["command_spec"] = f"tcp://127.0.0.1:{ports['command']}"
    for name, value in ini["proxy"].items():
        if name.startswith("zurl_"):
            ini["proxy"][name] = value.replace("/var/run/pushpin/", f"{prefix / 'run'}/")
    for section, values in (overrides or {}).items():
        for name, value in values.items():
            ini[section][name] = value
    lines = []
    for section in ini.sections():
        lines.append(f"[{section}]")
        lines.extend(f"{name}={value}" for name, value in ini[section].items())
        lines.append("")
    return "\n".join(lines)


class Pushpin:
    def __init__(self, origin: str, *, key: str, prefix: Path, http_port: int = 0, publish_port: int = 0,
                 overrides: dict[str, dict[str, str]] | None = None) -> None:
        binary = pushpin_binary()
        if binary is None:
            raise RuntimeError("pushpin is not installed: apt-get install -y pushpin")
        self.binary = binary
        self.prefix = prefix
        self.http_port = http_port or free_port()
        self.ports = {name: free_port() for name in ("push_in", "push_in_sub", "publish", "command")}
        self.ports["publish"] = publish_port or self.ports["publish"]
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.publish_url = f"http://127.0.0.1:{self.ports['publish']}/"
        for sub in ("run", "log"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)
        routes = (SHIPPED / "routes").read_text().replace("127.0.0.1:8000", origin)
        (prefix / "routes").write_text(routes)
        (prefix / "pushpin.conf").write_text(config_text(prefix, key, self.http_port, self.ports, overrides))
        (prefix / "zurl.conf").write_text(zurl_text(prefix))
        self.process: subprocess.Popen[bytes] | None = None
        self.zurl: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20) -> None:
        self.zurl = subprocess.Popen(
            [shutil.which("zurl") or "zurl", f"--config={self.prefix / 'zurl.conf'}"],
            cwd=self.prefix, stdout=(self.prefix / "zurl.out").open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True)
        self.process = subprocess.Popen(
            [self.binary, "--config", str(self.prefix / "pushpin.conf"), "--merge-output"],
            cwd=self.prefix, stdout=(self.prefix / "pushpin.out").open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        for port in (self.http_port, self.ports["publish"]):
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"pushpin exited ({self.process.returncode}): {self.log()[-2000:]}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"pushpin did not listen on {port}: {self.log()[-2000:]}") from None
                    time.sleep(0.1)

    def log(self) -> str:
        out = self.prefix / "pushpin.out"
        return out.read_text(errors="replace") if out.exists() else ""

    def stop(self) -> None:
        for process in (self.process, self.zurl):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(5)
        self.process = self.zurl = None

    def __enter__(self) -> Pushpin:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
