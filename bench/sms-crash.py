#!/usr/bin/env python3
"""The SMS outbox under crashes (bench/sms-crash.sh runs it).

Runs a test gateway (an HTTP server in this process, which outlives the service), starts
`sonod-issuer serve --sms-gateway` against it, issues certificates with a mobile number from
four threads, and kills the service with SIGKILL at random moments meanwhile, restarting it
each time. Then it lets the service drain its outbox and compares: every certificate in the
store (the feed's `issued` events) must have reached the gateway (lost: must be 0); a message
the gateway received more than once (the same client reference) was sent twice.

    sms-crash.py BIN WORKDIR MESSAGES KILLS
"""
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BIN, WORK, MESSAGES, KILLS = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
BN = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")

got = []  # (client reference, serial) per request the gateway accepted
got_lock = threading.Lock()
unanswered = [0]  # acceptances whose answer could not be written back (the service was gone)


class Gateway(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        p = urllib.parse.parse_qs(self.rfile.read(n).decode())
        text = p.get("message", [""])[0]
        m = re.search(r"সনদ নং [০-৯]+-([০-৯]+)", text)
        serial = int(m.group(1).translate(BN)) if m else -1
        with got_lock:
            got.append((p.get("csms_id", ["?"])[0], serial))
            k = len(got)
        body = json.dumps({"response_code": 202, "message_id": f"g{k}"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            with got_lock:
                unanswered[0] += 1

    def log_message(self, *a):
        pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


gw = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
threading.Thread(target=gw.serve_forever, daemon=True).start()
toml = os.path.join(WORK, "gateway.toml")
with open(toml, "w") as f:
    f.write(f"""url = "http://127.0.0.1:{gw.server_address[1]}/api/smsapi"
method = "POST"
api_key_env = "SONOD_SMS_API_KEY"
sender_id = "8809617000000"
timeout_secs = 5
backoff_base_ms = 200
backoff_cap_ms = 2000
[params]
api_key = "api_key"
sender_id = "senderid"
number = "number"
text = "message"
client_ref = "csms_id"
[extra]
type = "unicode"
[success]
json_field = "response_code"
json_value = "202"
""")

PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
proc = None


def start():
    global proc
    env = dict(os.environ, SONOD_LOG="error", SONOD_SMS_API_KEY="bench-key")
    proc = subprocess.Popen(
        [BIN, "serve", "--listen", f"127.0.0.1:{PORT}", "--data", os.path.join(WORK, "data"),
         "--dev-keys", os.path.join(WORK, "keys"), "--sms-gateway", toml],
        env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(WORK, "serve.err"), "a"))
    for _ in range(600):
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=1)
            return
        except Exception:
            time.sleep(0.05)
    sys.exit("the service did not start")


start()
token = open(os.path.join(WORK, "keys", "dev-token")).read().strip()
record = json.load(open(os.path.join(os.path.dirname(__file__), "..", "seal", "tests", "data",
                                     "benchmark-record.json")))
today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 6 * 3600))
record["issued"] = today
record["expires"] = str(int(today[:4]) + 1) + today[4:]
record["fields"]["mobile"] = "01712345678"
body = json.dumps(record).encode()

acked = []
acked_lock = threading.Lock()
done = threading.Event()


def issuer():
    while not done.is_set():
        with acked_lock:
            if len(acked) >= MESSAGES:
                done.set()
                return
        req = urllib.request.Request(BASE + "/api/v1/certificates", data=body, headers={
            "Authorization": "Bearer " + token, "Content-Type": "application/json"})
        try:
            r = json.load(urllib.request.urlopen(req, timeout=10))
            with acked_lock:
                acked.append(r["serial"])
        except Exception:
            time.sleep(0.05)


threads = [threading.Thread(target=issuer) for _ in range(4)]
for t in threads:
    t.start()

t0 = time.time()
kills = 0
while kills < KILLS:
    time.sleep(random.uniform(0.05, 0.4))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kills += 1
    start()
    # Past the burst: keep killing while the outbox drains (messages in flight).
for t in threads:
    t.join()


def stored_serials():
    serials, after = set(), 0
    while True:
        page = json.load(urllib.request.urlopen(f"{BASE}/api/v1/feed?after={after}&limit=1000"))
        events = page["signed"]["events"]
        for e in events:
            if e["type"] == "issued":
                serials.add(e["serial"])
        if not events:
            return serials
        after = events[-1]["seq"]


stored = stored_serials()
deadline = time.time() + 120
while time.time() < deadline:
    with got_lock:
        if stored <= {s for _, s in got}:
            break
    time.sleep(0.2)
elapsed = time.time() - t0
proc.send_signal(signal.SIGTERM)
proc.wait()

with got_lock:
    refs = [r for r, _ in got]
    received = {s for _, s in got}
twice = len(refs) - len(set(refs))
lost = len(stored - received)
print(f"certificates acknowledged: {len(acked)}; in the store (with their SMS): {len(stored)}")
print(f"kills (SIGKILL) during the burst: {kills}")
print(f"gateway requests: {len(refs)}; distinct messages: {len(set(refs))}")
print(f"lost: {lost}")
print(f"sent twice: {twice} (the gateway had accepted and the service died before its record "
      f"was durable; of the acceptances, {unanswered[0]} could not even be answered)")
print(f"acknowledged but not in the store: {len(set(acked) - stored)}")
print(f"wall time: {elapsed:.1f} s")
sys.exit(1 if lost or set(acked) - stored else 0)
