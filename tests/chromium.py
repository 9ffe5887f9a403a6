"""Drive a headless Chromium over the DevTools protocol on a pipe (no extra Python packages).

``--remote-debugging-pipe`` makes Chromium read protocol messages from fd 3 and write them to fd 4,
NUL-separated JSON. :class:`Chromium` opens a page, records every console message, uncaught
exception, log entry, dialog and network request, evaluates JavaScript and takes screenshots.

Also a small command line to make the docs screenshots::

    python -m tests.chromium OUTDIR/report.html docs/report_desktop.png docs/report_phone.png
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

#: Flags: headless, no sandbox (CI containers run as root), nothing that phones home, no real network at all.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-breakpad",
    "--metrics-recording-only",
    "--mute-audio",
    "--hide-scrollbars",
    # belt and braces: even if the page tried, no name resolves and every request goes to a dead proxy
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)

LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome-error:")


def find_chromium() -> str | None:
    """Return the path of a Chromium/Chrome executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless_shell"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Chromium:
    """A headless Chromium with one page, driven over ``--remote-debugging-pipe``.

    Use as a context manager. Recorded on :attr:`console` (console API calls and log entries,
    ``(level, text)``), :attr:`exceptions`, :attr:`dialogs` and :attr:`requests` (URLs).
    """

    def __init__(self, executable: str, timeout_s: float = 30.0) -> None:
        self.executable = executable
        self.timeout_s = timeout_s
        self.console: list[tuple[str, str]] = []
        self.exceptions: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._next_id = 0
        self._session = ""
        self._profile = ""
        self.stderr_path = ""

    # -- process and pipe -------------------------------------------------------------------------------------
    def __enter__(self) -> Chromium:
        self._profile = tempfile.mkdtemp(prefix="sprintbal-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # move the child's ends to high fds so dup2 onto 3/4 cannot clobber them
        hi_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 100)
        hi_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 100)
        os.close(to_chrome_r)
        os.close(from_chrome_w)

        def child_fds() -> None:
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        self.stderr_path = os.path.join(self._profile, "stderr.log")
        self._stderr = open(self.stderr_path, "wb")
        args = [self.executable, *FLAGS, f"--user-data-dir={self._profile}", "--remote-debugging-pipe",
                "--enable-logging=stderr", "--v=0", "about:blank"]
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr,
            close_fds=False, preexec_fn=child_fds,
        )
        os.close(hi_r)
        os.close(hi_w)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        targets = self.call("Target.getTargets")["targetInfos"]
        pages = [t for t in targets if t["type"] == "page"]
        target_id = pages[0]["targetId"] if pages else self.call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=target_id, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):  # closing anyway
            self.call("Browser.close", timeout_s=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for fd in (self._to_chrome, self._from_chrome):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._stderr.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                msg, buf = buf.split(b"\0", 1)
                self._events.put(json.loads(msg))

    def _handle_event(self, msg: dict[str, Any]) -> None:
        method, params = msg.get("method", ""), msg.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.console.append((params.get("type", ""), text))
        elif method == "Log.entryAdded":
            e = params.get("entry", {})
            self.console.append((e.get("level", ""), f"{e.get('source', '')}: {e.get('text', '')} {e.get('url', '')}"))
        elif method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails", {})
            self.exceptions.append(str(d.get("exception", {}).get("description") or d.get("text")))
        elif method == "Page.javascriptDialogOpening":
            self.dialogs.append(f"{params.get('type')}: {params.get('message')}")
            self._send("Page.handleJavaScriptDialog", {"accept": True}, session=True)
        elif method == "Network.requestWillBeSent":
            self.requests.append(params.get("request", {}).get("url", ""))
        self._last_event = method

    def _send(self, method: str, params: dict[str, Any], session: bool = False) -> int:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self._session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        return self._next_id

    def call(self, method: str, *, session: bool = False, timeout_s: float | None = None, **params: Any) -> Any:
        """Send a protocol command and return its result (events that arrive meanwhile are recorded)."""
        want = self._send(method, params, session)
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no answer to {method} within {timeout_s or self.timeout_s} s")
            try:
                msg = self._events.get(timeout=left)
            except queue.Empty:
                continue
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._handle_event(msg)

    def wait_event(self, method: str, timeout_s: float | None = None) -> dict[str, Any]:
        """Wait for an event, recording everything else that arrives."""
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {method} within {timeout_s or self.timeout_s} s")
            try:
                msg = self._events.get(timeout=left)
            except queue.Empty:
                continue
            self._handle_event(msg)
            if msg.get("method") == method:
                return msg.get("params", {})

    def settle(self, seconds: float = 0.3) -> None:
        """Drain events for a short while (late console messages, media loads)."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                self._handle_event(self._events.get(timeout=left))
            except queue.Empty:
                break

    # -- page -------------------------------------------------------------------------------------------------
    def viewport(self, width: int, height: int, *, mobile: bool = False, scale: float = 1.0) -> None:
        """Set the page's viewport (CSS pixels) and device scale."""
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=scale, mobile=mobile)

    def open(self, url: str) -> None:
        """Navigate and wait for the load event."""
        self.call("Page.navigate", session=True, url=url)
        self.wait_event("Page.loadEventFired")
        self.settle(0.3)

    def js(self, expression: str, await_promise: bool = False) -> Any:
        """Evaluate JavaScript in the page and return its value."""
        res = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True,
                        awaitPromise=await_promise)
        if "exceptionDetails" in res:
            raise RuntimeError(f"JS error: {res['exceptionDetails']}")
        return res.get("result", {}).get("value")

    def screenshot(self, path: Path, *, width: int, mobile: bool = False, scale: float = 1.0,
                   max_height: int = 20000) -> tuple[int, int]:
        """Save a PNG of the whole page (up to ``max_height`` CSS pixels tall) at a given viewport width.

        The viewport keeps a screen's height (so ``vh`` units mean what they do on a screen); the capture
        extends beyond it.
        """
        self.viewport(width, 844 if mobile else 900, mobile=mobile, scale=scale)
        # let videos show their first frame before the capture
        self.js("Promise.all([...document.querySelectorAll('video')].map(v => v.readyState >= 2 ? 0 : "
                "new Promise(r => { v.addEventListener('loadeddata', r); v.addEventListener('error', r); "
                "v.preload = 'auto'; v.load(); setTimeout(r, 3000); })))", await_promise=True)
        self.settle(0.3)
        height = int(min(self.js("Math.ceil(document.documentElement.scrollHeight)"), max_height))
        data = self.call("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})["data"]
        Path(path).write_bytes(base64.b64decode(data))
        return width, height

    def non_local_requests(self) -> list[str]:
        """Requests whose URL is not file:, data:, about: or blob: (i.e. would leave the machine)."""
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]

    def problems(self) -> list[str]:
        """Console warnings/errors, exceptions and dialogs seen so far."""
        bad = [f"console {lvl}: {txt}" for lvl, txt in self.console if lvl in ("error", "warning", "assert")]
        bad += [f"exception: {e}" for e in self.exceptions]
        bad += [f"dialog: {d}" for d in self.dialogs]
        return bad


def main(argv: list[str]) -> int:
    """Screenshot a report at desktop and phone width (``REPORT.html DESKTOP.png PHONE.png``)."""
    exe = find_chromium()
    if exe is None:
        print("no chromium found", file=sys.stderr)
        return 1
    report, desktop, phone = (Path(a) for a in argv)
    with Chromium(exe) as b:
        b.viewport(1280, 900)
        b.open(report.resolve().as_uri())
        print("desktop", b.screenshot(desktop, width=1280))
        print("phone", b.screenshot(phone, width=390, mobile=True, scale=2, max_height=4200))
        for p in b.problems() + b.non_local_requests():
            print("PROBLEM", p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
