"""Each browser session's simulation in its own process, so a classroom can share a server.

Why: a model step is pure Python and numpy, and Python runs one thread at a time per
process. With every session's model in the web server's process, six tabs got 2–3
simulated days a second each and the server's event loop stalled. Here each session gets
a worker process (a fresh interpreter: no forked copy of the server's threads or
sockets) that owns an :class:`~commgov.viz.session.Explorer`: the model, its run
loop and its drawing. The page talks to it through :class:`RemoteExplorer`, which has the
same methods, sends commands down a pipe and receives finished :class:`Frame` objects.

One source of truth: the page's settings. Commands are carried out in the order sent;
a burst of settings changes (a slider being dragged, a switch clicked fast) is coalesced
into its last value, which restarts the model cleanly at day 0. Each frame says which
command it answers (``ack``) and which lever values its model really has, so the page can
mark a control as pending instead of showing something the model is not running.

With many sessions the OS shares the cores between the workers; the server tells every
worker to draw less often (``drawing_interval``) so more of the time goes into the model.
One idle worker is kept started (``_spare``) so a new tab does not wait for the imports.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, ClassVar

from commgov.viz import limits
from commgov.viz.session import FRAME_INTERVAL, MAX_FRAME_INTERVAL, Explorer, Frame, Settings

START_TIMEOUT = 120.0       # seconds a worker may take to import and build its first model


def drawing_interval(sessions: int) -> float:
    """Seconds between pictures while running, for ``sessions`` sessions on this server.

    Up to three sessions draw five pictures a second; beyond that the interval grows with
    the number of sessions (6 → 0.4 s, 30 → 2 s), so drawing never crowds out simulating.
    """
    return min(MAX_FRAME_INTERVAL, max(FRAME_INTERVAL, FRAME_INTERVAL * sessions / 3))


# --------------------------------------------------------------------------------------------
# The worker process
# --------------------------------------------------------------------------------------------
def _serve(conn: Connection) -> None:
    """Worker main: wait for ``init``, then carry out commands until ``close`` or EOF."""
    send_lock = threading.Lock()

    def reply(kind: str, payload: Any) -> None:
        with send_lock, contextlib.suppress(OSError, ValueError):
            conn.send((kind, payload))

    def send(frame: Frame) -> None:
        reply("frame", frame)

    try:
        op, kw, seq = conn.recv()
    except (EOFError, OSError):
        return
    if op != "init":
        return
    ex = Explorer(kw["settings"], lang=kw["lang"], colour_by=kw["colour_by"],
                  width=kw["width"], on_frame=send)
    ex.set_drawing(kw["interval"], kw["sessions"])
    ex.ack = seq
    ex.publish()
    while True:
        try:
            batch = [conn.recv()]
            while conn.poll():
                batch.append(conn.recv())
        except (EOFError, OSError):
            break
        # Only the last of a burst of settings changes matters: one clean restart.
        last_settings = max((i for i, (op, _, _) in enumerate(batch) if op == "settings"),
                            default=-1)
        closing = False
        for i, (op, kw, seq) in enumerate(batch):
            if op == "settings" and i != last_settings:
                continue
            if op == "close":
                closing = True
                break
            if os.environ.get("COMMGOV_WORKER_DEBUG"):
                print(f"worker {os.getpid()}: {op} {kw} day={ex.model.day}", file=sys.stderr)
            _do(ex, op, kw, reply)
            ex.ack = seq
        if closing:
            break
        ex.publish()
    ex.close()


def _do(ex: Explorer, op: str, kw: dict[str, Any],
        reply: Callable[[str, Any], None]) -> None:
    if op == "settings":
        ex.apply(kw["settings"])
    elif op == "reset":
        ex.pause()
        ex.rebuild(kw["settings"])
    elif op == "play":
        ex.play()
    elif op == "pause":
        ex.pause()
    elif op == "step":
        ex.step(kw["days"])
    elif op == "run_to":
        ex.run_to(kw["day"])
    elif op == "speed":
        ex.set_speed(kw["speed"])
    elif op == "view":
        ex.set_view(lang=kw.get("lang"), colour_by=kw.get("colour_by"))
    elif op == "inspect":
        ex.inspect(kw.get("x"), kw.get("y"))
    elif op == "drawing":
        ex.set_drawing(kw["interval"], kw["sessions"])
    elif op == "export":
        try:
            data = ex.export(kw["what"])
        except Exception as exc:   # noqa: BLE001 - reported to the page, never a dead worker
            data = f"error: {exc}".encode()
        reply("export", (kw["what"], data))


# --------------------------------------------------------------------------------------------
# The server side
# --------------------------------------------------------------------------------------------
class _Worker:
    """A started worker process (``python -m commgov.viz.worker FD``) and our end of the
    socket pair between us. A fresh interpreter, not ``multiprocessing``'s spawn: that
    would re-import whatever ``__main__`` the server runs under (solara's, pytest's)."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "commgov.viz.worker", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        theirs.close()
        self.conn = Connection(ours.detach())

    def is_alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        with contextlib.suppress(OSError):
            self.conn.close()


_spare: _Worker | None = None
_spare_lock = threading.Lock()


def _take_worker() -> _Worker:
    """The waiting spare worker (already importing), and start the next spare."""
    global _spare
    with _spare_lock:
        w = _spare if _spare is not None and _spare.is_alive() else _Worker()
        _spare = _Worker()
    return w


class RemoteExplorer:
    """The page's handle on its session's worker: an :class:`Explorer` in another process."""

    live: ClassVar[set[RemoteExplorer]] = set()
    _live_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, settings: Settings | None = None, lang: str = "en",
                 colour_by: str = "issue", on_frame: Callable[[Frame], None] | None = None,
                 width: int = 900) -> None:
        self.on_frame = on_frame
        self._exports: dict[str, tuple[threading.Event, list[bytes]]] = {}
        self.frame: Frame | None = None
        self.settings = settings or Settings()
        self.speed = 20
        self.seq = 0
        self._send_lock = threading.Lock()
        self._closed = False
        with self._live_lock:
            if len(self.live) >= limits.MAX_SESSIONS:
                raise limits.AppLimitError(
                    f"the server already runs {limits.MAX_SESSIONS} sessions, its maximum; "
                    f"close a tab you no longer use or try again later.")
            self._worker = _take_worker()
            self.live.add(self)
            n = len(self.live)
        self._send("init", settings=self.settings, lang=lang, colour_by=colour_by,
                   width=width, interval=drawing_interval(n), sessions=n)
        # Frames are read as fast as the worker sends them, and handed to the page by a
        # second thread, newest only: when the page is slow to draw (a busy server), frames
        # in between are dropped instead of filling the socket, so the worker never waits
        # for the page and the model keeps its speed.
        self._latest: Frame | None = None
        self._new_frame = threading.Condition()
        self._reader = threading.Thread(target=self._read, name="commgov-frames", daemon=True)
        self._reader.start()
        self._shower = threading.Thread(target=self._show, name="commgov-show", daemon=True)
        self._shower.start()
        self._broadcast_drawing()

    # ------------------------------------------------------------------ plumbing
    def _send(self, op: str, **kw: Any) -> int:
        with self._send_lock:
            if self._closed:
                return self.seq
            self.seq += 1
            try:
                self._worker.conn.send((op, kw, self.seq))
            except (OSError, ValueError):
                self._closed = True
            return self.seq

    def _read(self) -> None:
        while True:
            try:
                kind, payload = self._worker.conn.recv()
            except (EOFError, OSError):
                break
            if kind == "frame":
                self.frame = payload
                with self._new_frame:
                    self._latest = payload
                    self._new_frame.notify()
            elif kind == "export":
                waiting = self._exports.get(payload[0])
                if waiting is not None:
                    waiting[1].append(payload[1])
                    waiting[0].set()
        self.close()

    def _show(self) -> None:
        while True:
            with self._new_frame:
                while self._latest is None and not self._closed:
                    self._new_frame.wait()
                frame, self._latest = self._latest, None
            if frame is None:
                return
            if self.on_frame is not None:
                self.on_frame(frame)

    @classmethod
    def _broadcast_drawing(cls) -> None:
        with cls._live_lock:
            sessions = list(cls.live)
        n = len(sessions)
        for s in sessions:
            s._send("drawing", interval=drawing_interval(n), sessions=n)

    def wait_frame(self, timeout: float = START_TIMEOUT) -> Frame | None:
        """Block until a frame has arrived (tests and scripts; the page never blocks)."""
        done = threading.Event()
        previous = self.on_frame

        def got(f: Frame) -> None:
            done.set()
            if previous is not None:
                previous(f)
        if self.frame is None:
            self.on_frame = got
            done.wait(timeout)
            self.on_frame = previous
        return self.frame

    @property
    def pending(self) -> bool:
        """True while the worker has not yet carried out every command sent."""
        return self.frame is None or self.frame.ack < self.seq

    # ------------------------------------------------------------------ the Explorer API
    def rebuild(self, settings: Settings | None = None) -> int:
        """New settings: live levers change at the next step, others restart the model
        cleanly at day 0 (running on if it was); see ``Explorer.apply``."""
        if settings is not None:
            self.settings = settings
        return self._send("settings", settings=self.settings)

    def reset(self, settings: Settings | None = None) -> int:
        if settings is not None:
            self.settings = settings
        return self._send("reset", settings=self.settings)

    def play(self) -> int:
        return self._send("play")

    def pause(self) -> int:
        return self._send("pause")

    def step(self, days: int = 1) -> int:
        return self._send("step", days=days)

    def run_to(self, day: int) -> int:
        return self._send("run_to", day=day)

    def set_speed(self, days_per_second: int) -> int:
        self.speed = days_per_second
        return self._send("speed", speed=days_per_second)

    def set_view(self, lang: str | None = None, colour_by: str | None = None) -> int:
        return self._send("view", lang=lang, colour_by=colour_by)

    def inspect(self, x: float | None, y: float | None) -> int:
        """Inspect the agent at map picture pixel (x, y); None closes the inspector."""
        return self._send("inspect", x=x, y=y)

    def fetch(self, what: str, timeout: float = 60.0) -> bytes:
        """A file of the current run from the worker (see ``Explorer.export``); blocks."""
        event, box = self._exports.setdefault(what, (threading.Event(), []))
        event.clear()
        box.clear()
        self._send("export", what=what)
        if not event.wait(timeout) or not box:
            raise TimeoutError(f"the session's model did not answer the {what} export")
        return box[0]

    def close(self) -> None:
        """Stop the worker (the browser tab went away)."""
        with self._live_lock:
            was_live = self in self.live
            self.live.discard(self)
        if not self._closed:
            self._send("close")
            self._closed = True
        with self._new_frame:               # the page thread stops too
            self._new_frame.notify()
        if threading.current_thread() is not self._reader:
            self._worker.stop()
        if was_live:
            self._broadcast_drawing()


if __name__ == "__main__":          # the worker process: python -m commgov.viz.worker FD
    _serve(Connection(int(sys.argv[1])))
