"""Run Streamlit as a child that stops when we stop, and say in Dutch when its port is taken.

`beleidszoeker app` used to leave Streamlit running after Ctrl+C or a SIGTERM to the command
(the child outlived its parent and kept the port). The child now runs in its own process group;
SIGINT, SIGTERM and SIGHUP are forwarded to that whole group, and on Linux the child is also told
to stop if its parent dies without a word.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_S = 10


def port_free(port: int, host: str = "") -> bool:
    """True when a server could listen on `port` (all interfaces, as Streamlit does by default)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if len(parts) > 9 and parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(parts[9])
    return inodes


def port_holder(port: int) -> tuple[int, str] | None:
    """(pid, command line) of the process listening on `port`, when it can be seen (Linux /proc)."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:[") and target[8:-1] in inodes:
                        cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                        return int(proc.name), cmd
    return None


def busy_port_message(port: int) -> str:
    """The Dutch message for a taken port, with both ways out."""
    lines = [f"fout: poort {port} is al in gebruik; de app kan daar niet starten."]
    holder = port_holder(port)
    if holder is not None:
        pid, cmd = holder
        lines.append(f"Die poort is bezet door proces {pid} ({cmd[:120]}).")
        lines.append(f"Stop dat proces (`kill {pid}`) als het een oude Beleidszoeker is, of")
    else:
        lines.append(f"Zoek welk proces hem gebruikt (`ss -ltnp 'sport = :{port}'` of `lsof -i :{port}`), of")
    lines.append(f"start op een andere poort: `beleidszoeker app --port {port + 1}` "
                 f"(of `bash scripts/run --port {port + 1}`).")
    return "\n".join(lines)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def run_child(cmd: Sequence[str], cwd: Path) -> int:
    """Run `cmd` in its own process group; any stop signal to us stops the whole group."""
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    proc = subprocess.Popen(list(cmd), cwd=cwd, start_new_session=True, preexec_fn=preexec)
    stopping: dict[str, float] = {"signal": 0, "at": 0.0}

    def forward(signum: int, _frame: object) -> None:
        if not stopping["signal"]:
            stopping["signal"], stopping["at"] = signum, time.monotonic()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in STOP_SIGNALS}
    try:
        while True:
            try:
                code = proc.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if stopping["signal"] and time.monotonic() - stopping["at"] > GRACE_S:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # anything the child left behind in its group
    return 0 if stopping["signal"] else code


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m beleidszoeker.serve PORT`: exit 1 with the Dutch message when PORT is taken."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        port = int(args[0]) if args else 8501
    except ValueError:
        print(f"fout: poort {args[0]!r} is geen getal", file=sys.stderr)
        return 1
    if port_free(port):
        return 0
    print(busy_port_message(port), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
