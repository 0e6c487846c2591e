"""The apply forms' weight and load time over a slow link, in headless Chromium.

Talks to Chromium over the DevTools protocol on a pipe (bench/cdp.py), so it
needs nothing beyond Python and Chromium.

    python3 bench/apply-form.py URL [--screenshots DIR]

Prints, for /apply and each type's form: the HTML's bytes (the pages load nothing else: no
fonts, scripts, images or style sheets), the bytes Chromium received, and the time to the
load event with the network throttled to 400 kbit/s each way and 300 ms latency, cache off.
"""

import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from cdp import Chromium, load, page, screenshot  # noqa: E402


def main():
    base = sys.argv[1].rstrip("/")
    shots = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--screenshots" else None
    listing = urllib.request.urlopen(base + "/apply").read().decode()
    keys = sorted({part.split('"')[0] for part in listing.split('href="/apply/')[1:]})
    urls = ["/apply"] + [f"/apply/{k}" for k in keys] + ["/status"]
    c = Chromium()
    try:
        _, s = page(c, 390)
        c.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": 300,
            "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8,
        }, session=s)
        print(f"{'page':32} {'HTML bytes':>10} {'received':>9} {'requests':>8} {'load ms (400 kbit/s, 300 ms)':>29}")
        worst_bytes = worst_ms = 0
        for u in urls:
            html = urllib.request.urlopen(base + u).read()
            ms, received, requests = load(c, s, base + u)
            worst_bytes = max(worst_bytes, len(html))
            worst_ms = max(worst_ms, ms)
            print(f"{u:32} {len(html):>10} {received:>9} {requests:>8} {ms:>29.0f}")
        print(f"largest page {worst_bytes} bytes (limit 100,000); slowest load {worst_ms:.0f} ms (limit 2,000)")
        ok = worst_bytes <= 100_000 and worst_ms <= 2000
        if shots:
            os.makedirs(shots, exist_ok=True)
            for width in (390, 1280):
                _, s2 = page(c, width)
                for u in urls:
                    load(c, s2, base + u)
                    name = (u.strip("/").replace("/", "-") or "root") + f"-{width}.png"
                    screenshot(c, s2, os.path.join(shots, name))
            print(f"screenshots in {shots}")
    finally:
        c.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
