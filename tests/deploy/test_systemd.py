"""The systemd units in deploy/systemd/: systemd accepts them, their commands run, their environment file names only
settings Dateline reads."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
INSTALLED = "/opt/dateline/venv/bin/dateline"
OURS = str(Path(sys.executable).with_name("dateline"))


def _unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze not installed (apt-get install -y systemd): test_commands_run checks the rest")
    for name in ("dateline.service", "dateline-migrate.service"):
        # This checkout's dateline instead of /opt/dateline's: verify checks that ExecStart is executable.
        (tmp_path / name).write_text((UNITS / name).read_text().replace(INSTALLED, OURS))
    zurl = tmp_path / "dateline-zurl.service"  # its config path as installed: verify checks only the binary
    zurl.write_text((UNITS / "dateline-zurl.service").read_text())
    result = subprocess.run([analyze, "verify", str(tmp_path / "dateline.service"),
                             str(tmp_path / "dateline-migrate.service"), str(zurl)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_hardening_and_limits():
    unit = _unit("dateline.service")
    for key, value in (("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"), ("PrivateTmp", "yes"),
                       ("ReadWritePaths", "/var/lib/dateline"), ("User", "dateline")):
        assert unit[key] == [value], key
    assert int(unit["LimitNOFILE"][0]) >= 65536  # a reader is a socket
    assert "dateline-migrate.service" in unit["Requires"][0] and "dateline-migrate.service" in unit["After"][0]
    assert _unit("dateline-migrate.service")["Type"] == ["oneshot"]


def test_environment_file_names_only_real_settings():
    settings = (ROOT / "dateline" / "settings.py").read_text()
    read = set(re.findall(r'"(DATELINE_[A-Z_]+)"', settings))
    example = (UNITS / "dateline.env").read_text()
    named = set(re.findall(r"^#?\s*(DATELINE_[A-Z_]+)=", example, re.MULTILINE))
    assert named and named <= read, named - read


def test_commands_run(tmp_path):
    """The units' ExecStart lines, as systemd would split them, are commands this dateline knows."""
    for name in ("dateline.service", "dateline-migrate.service"):
        for command in _unit(name)["ExecStart"]:
            argv = shlex.split(command.replace(INSTALLED, OURS))
            # --help after the subcommand: argparse checks every option given before it, and nothing is served.
            if argv[1] == "serve":
                help_run = subprocess.run([*argv[:2], "--help"], capture_output=True, text=True)
                assert help_run.returncode == 0
                for option in (a for a in argv[2:] if a.startswith("--")):
                    assert option in help_run.stdout, option
            else:
                env = {"DATELINE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
                result = subprocess.run(argv, capture_output=True, text=True, env=env)
                assert result.returncode == 0, result.stderr


def test_the_zurl_unit_runs_the_shipped_config_where_pushpin_conf_looks():
    """pushpin.conf leaves zurl out of its services; the unit must run zurl with deploy/pushpin/zurl.conf, whose
    sockets are the ones pushpin.conf names."""
    unit = _unit("dateline-zurl.service")
    (command,) = unit["ExecStart"]
    assert shlex.split(command) == ["/usr/bin/zurl", "--config=/etc/pushpin/dateline-zurl.conf"]
    pushpin = (ROOT / "deploy" / "pushpin" / "pushpin.conf").read_text()
    zurl = (ROOT / "deploy" / "pushpin" / "zurl.conf").read_text()
    assert "zurl" not in re.search(r"^services=(.*)$", pushpin, re.MULTILINE)[1]
    for socket in re.findall(r"ipc://(/var/run/pushpin/dateline-zurl-[a-z-]+)", pushpin):
        assert socket in zurl, socket
    routes = (ROOT / "deploy" / "pushpin" / "routes").read_text()
    port = re.search(r"--port (\d+)", _unit("dateline.service")["ExecStart"][0])[1]
    assert f"* 127.0.0.1:{port}" in routes  # Pushpin sends readers to where the service listens
