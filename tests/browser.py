"""Open a page in headless Chromium and report what happened, over the DevTools protocol
on a pipe (``--remote-debugging-pipe``: JSON messages separated by NUL bytes on file
descriptors 3 and 4), with the standard library only.

``load(path, screenshot)`` returns console errors and exceptions, every request the page
made (URL), the size of each ``<img>`` as laid out, and writes a full-page screenshot.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class _Pipe:
    def __init__(self, proc, write_fd: int, read_fd: int):
        self.proc, self.w, self.r = proc, write_fd, read_fd
        self.buf = b""
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 60.0) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self._read()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)
        raise TimeoutError(method)

    def wait_for(self, method: str, timeout: float = 60.0) -> dict:
        for m in self.events:
            if m.get("method") == method:
                return m
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self._read()
            self.events.append(m)
            if m.get("method") == method:
                return m
        raise TimeoutError(method)

    def _read(self) -> dict:
        while b"\0" not in self.buf:
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\0", 1)
        return json.loads(line)


IMAGES = """JSON.stringify(Array.from(document.images).map(i => {
  const r = i.getBoundingClientRect();
  return {w: r.width, h: r.height, nw: i.naturalWidth, nh: i.naturalHeight,
          complete: i.complete, alt: i.alt};
}))"""


def load(path: Path, screenshot: Path, width: int = 1200) -> dict:
    """Load ``path`` (a local HTML file); return ``errors`` (console errors, exceptions,
    log errors), ``requests`` (URLs), ``images`` (layout and natural sizes) and write a
    full-page PNG to ``screenshot``."""
    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError("chromium not found")
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    # copies above 4, so that placing them on 3 and 4 in the child overwrites nothing
    child_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD_CLOEXEC, 10)
    child_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(to_child_r)
    os.close(from_child_w)

    def fds():  # the child reads commands on fd 3 and writes answers on fd 4
        os.dup2(child_r, 3)
        os.dup2(child_w, 4)

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    args = [exe, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
            f"--window-size={width},900", "about:blank"]
    proc = subprocess.Popen(args, preexec_fn=fds, pass_fds=(3, 4),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(child_r)
    os.close(child_w)
    pipe = _Pipe(proc, to_child_w, from_child_r)
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target,
                                                      "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            pipe.send(f"{domain}.enable", session=session)
        url = Path(path).resolve().as_uri()
        pipe.events.clear()
        pipe.send("Page.navigate", {"url": url}, session=session)
        pipe.wait_for("Page.loadEventFired")
        images = json.loads(pipe.send("Runtime.evaluate", {"expression": IMAGES,
                                                           "returnByValue": True},
                                      session=session)["result"]["value"])
        metrics = pipe.send("Page.getLayoutMetrics", session=session)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = pipe.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"],
                     "height": min(size["height"], 16000), "scale": 1}}, session=session)
        Path(screenshot).write_bytes(base64.b64decode(shot["data"]))
        errors, requests = [], []
        for m in pipe.events:
            method, p = m.get("method"), m.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(str(p.get("args")))
            elif method == "Runtime.exceptionThrown":
                errors.append(str(p.get("exceptionDetails")))
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                errors.append(str(p["entry"].get("text")))
            elif method == "Network.requestWillBeSent":
                requests.append(p["request"]["url"])
        return {"errors": errors, "requests": requests, "images": images, "url": url}
    finally:
        try:
            pipe.send("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(to_child_w)
        os.close(from_child_r)
        shutil.rmtree(profile, ignore_errors=True)
