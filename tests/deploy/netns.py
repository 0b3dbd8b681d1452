"""Network namespaces for the several-hosts test: a small private network of "hosts" on one machine.

    with Network(["a", "b", "c"]) as net:       # namespaces dl-<pid>-a, -b, -c and the switch dl-<pid>-lan
        net.address("a")                        # "10.231.12.11"
        subprocess.Popen(net.exec("a") + [...])  # a process on host a (``ip netns exec``)
        with net.inside("c"):                    # this thread's sockets and children are on host c
            httpx.get(f"http://{net.address('a')}:8000/healthz")

Each host namespace has ``lo`` and one ``eth0`` with its address on 10.231.12.0/24; the other end of each ``eth0``
is a veth attached to a bridge in the ``lan`` namespace, which has no address (a switch, not a host). Every link
is made directly inside its namespace (``ip link add … netns …``), so nothing — no interface, no address, no
route — is added to the machine's own namespace, and the subnet cannot clash with the machine's networks: it
exists only inside these namespaces. Removing a namespace removes its veth ends with it.

``inside`` switches only the calling thread (setns(2) on a thread's network namespace): sockets keep the
namespace they were made in, and a process forked from that thread starts in it. Filesystem unix sockets are not
network-namespaced, which is how a forwarder inside a namespace reaches the machine's PostgreSQL.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

CLONE_NEWNET = 0x40000000
SUBNET = "10.231.12"  # /24; private, and 12 as in the issue: unlikely to be anything else's choice
FIRST_HOST = 11


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True)


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"setns: {os.strerror(error)}")


def unavailable() -> str | None:
    """Why namespaces cannot be made here (None when they can): tried for real, with a throwaway namespace."""
    if not shutil.which("ip"):
        return "iproute2's `ip` is not installed (apt-get install iproute2)"
    if os.geteuid() != 0:
        return "making network namespaces (`ip netns add`) needs root"
    probe = f"dl-{os.getpid()}-probe"
    made = _ip("netns", "add", probe)
    if made.returncode != 0:
        return f"`ip netns add` failed: {made.stderr.strip()}"
    try:
        veth = _ip("link", "add", "p0", "netns", probe, "type", "veth", "peer", "name", "p1", "netns", probe)
        if veth.returncode != 0:
            return f"veth pairs cannot be made: {veth.stderr.strip()}"
    finally:
        _ip("netns", "del", probe)
    return None


class Network:
    def __init__(self, hosts: list[str]) -> None:
        self.prefix = f"dl-{os.getpid()}"
        self.hosts = list(hosts)
        self.made: list[str] = []

    def name(self, host: str) -> str:
        return f"{self.prefix}-{host}"

    def address(self, host: str) -> str:
        return f"{SUBNET}.{FIRST_HOST + self.hosts.index(host)}"

    def exec(self, host: str) -> list[str]:
        """The command prefix that runs a program on ``host``."""
        return ["ip", "netns", "exec", self.name(host)]

    def _run(self, *args: str) -> None:
        done = _ip(*args)
        if done.returncode != 0:
            raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")

    def _add(self, namespace: str) -> None:
        self._run("netns", "add", namespace)
        self.made.append(namespace)
        self._run("-n", namespace, "link", "set", "lo", "up")

    def up(self) -> Network:
        try:
            lan = self.name("lan")
            self._add(lan)
            self._run("-n", lan, "link", "add", "br0", "type", "bridge")
            self._run("-n", lan, "link", "set", "br0", "up")
            for host in self.hosts:
                namespace = self.name(host)
                self._add(namespace)
                # eth0 in the host, its peer (to-<host>) on the switch: made there, never in ours.
                self._run("link", "add", "eth0", "netns", namespace, "type", "veth", "peer", "name",
                          f"to-{host}", "netns", lan)
                self._run("-n", lan, "link", "set", "dev", f"to-{host}", "master", "br0", "up")
                self._run("-n", namespace, "addr", "add", f"{self.address(host)}/24", "dev", "eth0")
                self._run("-n", namespace, "link", "set", "eth0", "up")
        except BaseException:
            self.down()
            raise
        return self

    def down(self) -> None:
        """Delete every namespace made (their links go with them); processes still inside keep them alive, so the
        caller stops its processes first."""
        while self.made:
            _ip("netns", "del", self.made.pop())

    @contextmanager
    def inside(self, host: str) -> Iterator[None]:
        """The calling thread in ``host``'s namespace until the block ends."""
        own = os.open(f"/proc/{os.getpid()}/task/{threading.get_native_id()}/ns/net", os.O_RDONLY)
        target = os.open(f"/run/netns/{self.name(host)}", os.O_RDONLY)
        try:
            _setns(target)
            try:
                yield
            finally:
                _setns(own)
        finally:
            os.close(target)
            os.close(own)

    def enter(self, host: str) -> None:
        """Move the calling thread to ``host`` for good (a thread that lives there: a reader, a publisher)."""
        target = os.open(f"/run/netns/{self.name(host)}", os.O_RDONLY)
        try:
            _setns(target)
        finally:
            os.close(target)

    def __enter__(self) -> Network:
        return self.up()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.down()
