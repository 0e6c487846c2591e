#!/usr/bin/env python3
"""Sign-in under attack, against a running issuer (driven by bench/signin-flood.sh).

    python3 bench/signin-flood.py URL PID KNOWN_PREFIX KNOWN_COUNT PASSWORD [FLOOD=400]

Prints four figures: 30 wrong passwords then the right one; the time to answer an unknown
name against a known one (each attempt from its own loopback address and name, so no
throttle is involved); resident memory before, during and after FLOOD concurrent wrong
sign-ins (known names in turn, each attempt from its own address), with /healthz latency
during the flood; and whether a good sign-in works afterwards. Standard library only.
"""

import asyncio
import statistics
import sys
import time
from urllib.parse import urlparse


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


class Client:
    def __init__(self, url):
        u = urlparse(url)
        self.host, self.port = u.hostname, u.port

    async def request(self, method, path, body=b"", src=None, timeout=120):
        start = time.perf_counter()
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                self.host, self.port, local_addr=(src, 0) if src else None
            ),
            timeout,
        )
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nConnection: close\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        writer.write(head + body)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout)
        elapsed = time.perf_counter() - start
        writer.close()
        status_line, _, rest = data.partition(b"\r\n")
        status = int(status_line.split()[1]) if status_line else 0
        headers = {}
        for line in rest.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
            k, _, v = line.partition(b":")
            headers[k.strip().lower().decode()] = v.strip().decode()
        return status, headers, elapsed

    async def login(self, name, password, src=None):
        body = f"name={name}&password={password.replace(' ', '+')}".encode()
        return await self.request("POST", "/login", body, src)


def runs(statuses):
    """[401, 401, 429] -> '401 ×2, 429 ×1'"""
    out = []
    for s in statuses:
        if out and out[-1][0] == s:
            out[-1][1] += 1
        else:
            out.append([s, 1])
    return ", ".join(f"{s} ×{n}" for s, n in out)


async def thirty_then_right(c, name, password):
    src = "127.0.1.1"
    statuses = []
    for _ in range(30):
        s, _, _ = await c.login(name, "wrong password!", src)
        statuses.append(s)
    s, h, _ = await c.login(name, password, src)
    line = f"30 wrong passwords for {name}: {runs(statuses)}; then the right one: {s}"
    if "retry-after" in h:
        wait = int(h["retry-after"])
        line += f" (Retry-After {wait})"
        await asyncio.sleep(wait)
        s, _, _ = await c.login(name, password, src)
        line += f"; after waiting {wait} s: {s}"
    print(line)


async def timing(c, known_prefix, known_count):
    unknown, known = [], []
    for i in range(known_count):
        # In turn, each from a fresh address, which goes first alternating, so that drift
        # and order affect both alike.
        pair = [
            (unknown, f"nobody{i:02}", f"127.0.2.{i + 1}"),
            (known, f"{known_prefix}{i:02}", f"127.0.3.{i + 1}"),
        ]
        for times, name, src in pair if i % 2 == 0 else reversed(pair):
            _, _, t = await c.login(name, "wrong password!", src)
            times.append(t * 1000)
    mu, mk = statistics.median(unknown), statistics.median(known)
    print(
        f"wrong password, median of {known_count}: unknown name {mu:.1f} ms, "
        f"known name {mk:.1f} ms (difference {abs(mk - mu):.1f} ms)"
    )


async def flood(c, pid, n, known_prefix, known_count):
    before = rss_kib(pid)
    health, stop = [], asyncio.Event()

    async def healthz():
        while not stop.is_set():
            try:
                _, _, t = await c.request("GET", "/healthz", src="127.0.4.1")
                health.append(t * 1000)
            except Exception:  # noqa: BLE001 - a refused probe counts as a gap
                health.append(float("inf"))
            await asyncio.sleep(0.02)

    samples = []

    async def sampler():
        while not stop.is_set():
            samples.append(rss_kib(pid))
            await asyncio.sleep(0.02)

    tasks = [asyncio.create_task(healthz()), asyncio.create_task(sampler())]
    await asyncio.sleep(0.3)
    start = time.perf_counter()
    answers = await asyncio.gather(
        *(
            c.login(
                f"{known_prefix}{i % known_count:02}",
                "wrong password!",
                f"127.1.{i // 250}.{i % 250 + 1}",
            )
            for i in range(n)
        ),
        return_exceptions=True,
    )
    took = time.perf_counter() - start
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.gather(*tasks)
    peak = max(samples + [rss_kib(pid, "VmHWM")])
    statuses = sorted(
        (a[0] if not isinstance(a, Exception) else type(a).__name__ for a in answers),
        key=str,
    )
    counts = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    await asyncio.sleep(5)
    after = rss_kib(pid)
    h = sorted(health)
    print(
        f"{n} concurrent wrong sign-ins: answered in {took:.2f} s: "
        + ", ".join(f"{k} ×{v}" for k, v in counts.items())
    )
    print(
        f"resident memory: before {mib(before)}, peak {mib(peak)}, "
        f"5 s after {mib(after)}"
    )
    if h:
        print(
            f"/healthz during the flood: {len(h)} probes, median {statistics.median(h):.1f} ms, "
            f"max {h[-1]:.1f} ms"
        )


async def main():
    url, pid, known_prefix, known_count, password = sys.argv[1:6]
    n = int(sys.argv[6]) if len(sys.argv) > 6 else 400
    pid, known_count = int(pid), int(known_count)
    c = Client(url)
    await thirty_then_right(c, f"{known_prefix}{known_count:02}", password)
    await timing(c, known_prefix, known_count)
    await flood(c, pid, n, known_prefix, known_count)
    s, _, _ = await c.login(f"{known_prefix}00", password, "127.0.5.1")
    print(f"a good sign-in afterwards: {s}")


asyncio.run(main())
