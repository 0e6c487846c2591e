"""A small DevTools-protocol client for headless Chromium over a pipe (--remote-debugging-pipe:
JSON messages ending in NUL on file descriptors 3 and 4): nothing beyond Python and Chromium.
Used by bench/apply-form.py (which needs network throttling)."""

import base64
import json
import os
import subprocess
import time


class Chromium:
    def __init__(self):
        r_cmd, w_cmd = os.pipe()  # we write commands → Chromium reads fd 3
        r_evt, w_evt = os.pipe()  # Chromium writes fd 4 → we read

        def fds():
            # After the fork: Chromium's ends on 3 and 4 (kept open: pass_fds names them).
            a, b = os.dup(r_cmd), os.dup(w_evt)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-pipe", "--no-first-run", "--hide-scrollbars",
             "about:blank"],
            pass_fds=(3, 4), preexec_fn=fds,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r_cmd)
        os.close(w_evt)
        self.w = os.fdopen(w_cmd, "wb", buffering=0)
        self.r = os.fdopen(r_evt, "rb", buffering=0)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read(self):
        while b"\0" not in self.buf:
            chunk = self.r.read(65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None):
        self.next_id += 1
        m = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            m["sessionId"] = session
        self.w.write(json.dumps(m).encode() + b"\0")
        while True:
            msg = self._read()
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, method, session, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            for i, e in enumerate(self.events):
                if e.get("method") == method and e.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._read())
        raise RuntimeError(f"no {method} in {timeout} s")

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        self.proc.wait(timeout=10)


def page(c, width, height=900):
    target = c.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    s = c.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    c.send("Page.enable", session=s)
    c.send("Network.enable", session=s)
    c.send("Network.setCacheDisabled", {"cacheDisabled": True}, session=s)
    c.send("Emulation.setDeviceMetricsOverride",
           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
           session=s)
    return target, s


def screenshot(c, s, path):
    shot = c.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=s)
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


def resize(c, s, width, height=900):
    c.send("Emulation.setDeviceMetricsOverride",
           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
           session=s)


def evaluate(c, s, expr):
    r = c.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=s)
    if "exceptionDetails" in r:
        raise RuntimeError(f"{expr[:60]}: {r['exceptionDetails']}")
    return r["result"].get("value")


def submit(c, s, expr="document.querySelector('main form').requestSubmit()"):
    """Submits a form (as a click would) and waits for the next page's load event."""
    c.events.clear()
    evaluate(c, s, expr)
    c.wait_event("Page.loadEventFired", s)


def load(c, s, url):
    """Navigates and waits for the load event; the milliseconds it took and the bytes received."""
    c.events.clear()
    t0 = time.monotonic()
    c.send("Page.navigate", {"url": url}, session=s)
    c.wait_event("Page.loadEventFired", s)
    ms = (time.monotonic() - t0) * 1000
    received = sum(e["params"]["encodedDataLength"] for e in c.events
                   if e.get("method") == "Network.loadingFinished" and e.get("sessionId") == s)
    requests = sum(1 for e in c.events
                   if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == s)
    return ms, received, requests


