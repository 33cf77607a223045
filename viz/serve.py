"""``python run.py viz [--host H] [--port P]``: serve the browser app and say where it is.

``add_parser`` adds the ``viz`` subcommand to the CLI; ``cmd_viz`` starts ``solara run`` on
``viz/app.py`` (production mode) and prints the address to open. It listens on 127.0.0.1
unless ``--host`` says otherwise. ``python -m commgov.viz.serve`` does the same on its own.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from commgov.viz import assets, limits

APP = Path(__file__).resolve().parent / "app.py"
DEFAULT_PORT = 8765


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``viz`` to the CLI's subcommands (sets ``func=cmd_viz``)."""
    p = subparsers.add_parser(
        "viz", help="serve the browser app (explore, compare, lessons; English/中文)",
        description="Serve the browser app for planners and classrooms: explore a "
                    "community, compare two policies on the same seeds, and ready-made "
                    "lessons, in English or Chinese. Prints the address to open.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only; "
                        "0.0.0.0 to let a classroom connect)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"port to listen on (default {DEFAULT_PORT})")
    p.set_defaults(func=cmd_viz)
    return p


def address(host: str, port: int) -> str:
    """The URL to open for a server on ``host``:``port``."""
    shown = socket.gethostname() if host in ("0.0.0.0", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line for the app."""
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host,
            "--port", str(port), "--production", "--no-open"]


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    return env


def cmd_viz(args: argparse.Namespace) -> int:
    """Start the server (blocks until Ctrl+C); prints the address to open."""
    host, port = args.host, args.port
    if not port_free(host, port):
        print(f"error: port {port} on {host} is in use; choose another with --port.",
              file=sys.stderr)
        return 2
    if not assets.ensure(verbose=True):
        print("warning: some of the page's browser files are missing and could not be "
              "fetched; the page needs a CDN or `python -m commgov.viz.assets` with npm.",
              file=sys.stderr)
    print(f"Serving the community governance app at {address(host, port)}  "
          "(open it in a browser; Ctrl+C stops)", flush=True)
    print(limits.exposure_notice(host, port), flush=True)
    proc = subprocess.Popen(server_command(host, port), env=server_env())

    def stop(signum: int, _frame: object) -> None:     # pass SIGTERM on to the server
        proc.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=10)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:
            proc.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m commgov.viz.serve")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(["viz", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
