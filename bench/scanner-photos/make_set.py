#!/usr/bin/env python3
"""Builds the sonod-scan photo set: real Sonod certificates, printed and "photographed".

    make_set.py --out DIR --bin target/release [--certs N] [--per-cert K] [--jobs J]

1. Development keys (`sonod-keys dev`), an issuer on a free local port (`sonod-issuer serve
   --dev-keys`), N distinct certificates issued over the API (the record samples of
   seal/tests/data with other NIDs and wards), each printable page (`GET
   /certificates/{serial}/print`, dev token as a bearer token) printed to PDF by headless
   Chromium with the flags of issuer/tests/print_pdf.rs, rasterised by pdftoppm at 150 and
   300 dpi.
2. K "photographs" a certificate, made by ImageMagick's `convert` from the rasters: scans and
   phone photos (the page placed in perspective on a textured background), with the
   distortions of the recipes below. Plus pictures of two certificates, pictures without a QR
   code and pictures of a QR code that is not Sonod's.
3. DIR/manifest.jsonl: one line a picture: file (relative to DIR), expected (the QR texts that
   must be found; empty for none), tags, width, height, qr_px (the side of the smallest QR code
   in the picture, in pixels), module_px (the side of one module), recipe parameters.

Everything random comes from fixed seeds (Python's and ImageMagick's `-seed`), so the same
ImageMagick and the same certificates give the same pictures; the certificates themselves are
new each run (new keys, new signatures), so the QR texts differ between runs.
"""

import argparse
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import zxingcpp
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
# /usr/bin/convert is ImageMagick itself; a `convert` earlier on PATH may be a stand-in.
CONVERT = "/usr/bin/convert" if Path("/usr/bin/convert").exists() else "convert"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
]
NAMES = [
    "রাশেদা খাতুন", "মোঃ কামরুল হাসান", "সুমাইয়া আক্তার", "আব্দুল্লাহ আল মামুন",
    "নুসরাত জাহান", "মোঃ শফিকুল ইসলাম", "ফারজানা ইয়াসমিন", "তানভীর আহমেদ",
    "মোসাম্মৎ হালিমা বেগম", "মোঃ জাহিদুল ইসলাম", "সাবরিনা সুলতানা", "রফিকুল ইসলাম",
]
FOREIGN = [
    "https://example.com/menu?table=12",
    "WIFI:S:Cafe Dhaka;T:WPA;P:chai-and-singara;;",
    "BEGIN:VCARD\nVERSION:3.0\nFN:Karim\nTEL:+8801700000000\nEND:VCARD",
    "upi://pay?pa=shop@bank&pn=Shop&am=100",
    "HTTPS://VERIFY.EXAMPLE.ORG/V/NOT-A-SONOD-CODE-1234567890",
    "Just some text in a QR code, nothing to verify.",
]


def log(*a):
    print("make-set:", *a, file=sys.stderr, flush=True)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({r.returncode}): {r.stderr[-2000:]}")
    return r.stdout


# ---------------------------------------------------------------- certificates


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def records(n, rng):
    """n distinct records: the samples of seal/tests/data with other names, NIDs, wards."""
    data = ROOT / "seal/tests/data"
    samples = [json.loads((data / "benchmark-record.json").read_text())]
    samples += [json.loads(p.read_text()) for p in sorted((data / "records").glob("*.json"))]
    today = (datetime.now(timezone.utc) + timedelta(hours=6)).date()
    out = []
    for i in range(n):
        r = json.loads(json.dumps(samples[i % len(samples)]))
        r["issued"] = today.isoformat()
        if "expires" in r:
            # A year less a day (replace(year=…) fails on 29 February); the issuer refuses
            # any issue date but today in Dhaka and any expiry not after it.
            r["expires"] = (today + timedelta(days=364)).isoformat()
        f = r.get("fields", {})
        if i >= len(samples):
            if isinstance(f.get("name"), str):
                f["name"] = NAMES[i % len(NAMES)]
            if isinstance(f.get("nid"), str) and f["nid"].isdigit():
                f["nid"] = "".join(rng.choice("0123456789") for _ in f["nid"])
            if isinstance(f.get("ward"), int):
                f["ward"] = rng.randint(1, 9)
        out.append(r)
    return out


def http(url, token, body=None):
    req = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    req.add_header("Authorization", f"Bearer {token}")
    if body:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.read()


def issue(out, bindir, n, rng):
    """Issues n certificates; returns [(serial, qr_text, html_path)]."""
    keys = out / "keys"
    if not (keys / "dev-token").exists():
        run([str(bindir / "sonod-keys"), "dev", "--out", str(keys)])
    port = free_port()
    data = out / "work/issuer-data"
    shutil.rmtree(data, ignore_errors=True)
    env = dict(os.environ, SONOD_LOG="warn")
    proc = subprocess.Popen(
        [str(bindir / "sonod-issuer"), "serve", "--dev-keys", str(keys), "--data", str(data),
         "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=open(out / "work/issuer.log", "w"), env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("sonod-issuer exited; see work/issuer.log")
                time.sleep(0.2)
        else:
            raise RuntimeError("sonod-issuer did not come up")
        token = (keys / "dev-token").read_text().strip()  # written by serve --dev-keys
        certs = []
        for i, rec in enumerate(records(n, rng)):
            got = json.loads(http(base + "/api/v1/certificates", token, json.dumps(rec).encode()))
            serial, qr = got["serial"], got["qr_text"]
            html = out / f"work/cert{i:02d}.html"
            html.write_bytes(http(f"{base}/certificates/{serial}/print", token))
            certs.append((serial, qr, html))
        return certs
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def print_pdf(html):
    pdf = html.with_suffix(".pdf")
    profile = html.parent / (html.stem + ".profile")
    cmd = ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
           f"file://{html}"]
    # Its own process group, so that a hung Chromium is killed with all its helpers.
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        p.wait(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)
        p.wait()
        raise RuntimeError(f"chromium did not print {html} within 90 s")
    shutil.rmtree(profile, ignore_errors=True)
    if p.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"chromium failed to print {html}")
    return pdf


def rasterise(pdf, dpi):
    prefix = pdf.with_name(f"{pdf.stem}-{dpi}")
    run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", "1", "-l", "1", str(pdf),
         str(prefix)])
    png = prefix.with_suffix(".png")
    if dpi == 300:
        # Uncompressed: ImageMagick reads it several times a picture, PNG decoding is slow.
        ppm = prefix.with_suffix(".ppm")
        run([CONVERT, str(png), "-alpha", "off", str(ppm)])
        return ppm
    return png


def locate_qr(png, expect):
    """The QR code's corners (page pixels) and side in modules, found by zxing-cpp."""
    img = Image.open(png).convert("L")
    for b in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode):
        if b.text == expect:
            p = b.position
            corners = [(p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y),
                       (p.bottom_right.x, p.bottom_right.y), (p.bottom_left.x, p.bottom_left.y)]
            version = None
            try:
                extra = b.extra if isinstance(b.extra, dict) else json.loads(b.extra)
                version = int(extra.get("Version"))
            except (ValueError, TypeError, AttributeError):
                pass
            modules = 17 + 4 * version if version else None
            return corners, modules
    raise RuntimeError(f"the printed page {png} has no readable QR code with the issued text")


# ---------------------------------------------------------------- geometry


def homography(src, dst):
    a = []
    for (x, y), (u, v) in zip(src, dst):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y, -u])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y, -v])
    _, _, vt = np.linalg.svd(np.array(a, float))
    h = vt[-1].reshape(3, 3)
    return h / h[2, 2]


def apply(h, pts):
    p = np.array([[x, y, 1.0] for x, y in pts]) @ h.T
    return [(float(x / w), float(y / w)) for x, y, w in p]


def quad(cx, cy, w, h, angle, keystone, axis, jitter, rng):
    """A page's corners in the frame: a w×h rectangle centred at (cx, cy), turned by angle
    degrees, one side shortened by keystone (a tilt away from the camera), corners moved by
    up to jitter × the size."""
    pts = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    k = keystone
    if axis == 0:  # top edge further away
        pts = [(x * (1 - k) if y < 0 else x * (1 + k / 3), y * (1 - k / 3)) for x, y in pts]
    else:  # right edge further away
        pts = [(x * (1 - k / 3), y * (1 - k) if x > 0 else y * (1 + k / 3)) for x, y in pts]
    s = max(w, h) * jitter
    pts = [(x + rng.uniform(-s, s), y + rng.uniform(-s, s)) for x, y in pts]
    c, sn = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return [(cx + x * c - y * sn, cy + x * sn + y * c) for x, y in pts]


def side(pts):
    """The shortest side of a quadrilateral."""
    return min(math.dist(pts[i], pts[(i + 1) % 4]) for i in range(4))


# ---------------------------------------------------------------- ImageMagick programs


def background(fw, fh, kind, rng):
    """ImageMagick arguments that make a fw×fh background (a table, a cloth, a busy print)."""
    sw, sh = max(fw // 8, 8), max(fh // 8, 8)
    if kind == "wood":
        c1, c2 = rng.choice([("#5b3d22", "#9c7448"), ("#6e4f33", "#b08a5f"), ("#3e2a1a", "#7d5a3c")])
        return ["-size", f"{sw}x{sh}", f"plasma:{c1}-{c2}", "-resize", f"{fw}x{fh}!"]
    if kind == "cloth":
        c = rng.choice(["#2f4f6f", "#6f2f2f", "#3f5f3f", "#505050", "#c8c0b0"])
        return ["-size", f"{fw // 2}x{fh // 2}", f"xc:{c}", "-attenuate", "0.8", "+noise", "Gaussian",
                "-resize", f"{fw}x{fh}!"]
    if kind == "busy":  # a fractal print: many edges, stress for finder-pattern search
        return ["-size", f"{fw // 3}x{fh // 3}", "plasma:fractal", "-resize", f"{fw}x{fh}!"]
    return ["-size", f"{fw // 4}x{fh // 4}", "xc:#d8d4cc", "-attenuate", "0.4", "+noise", "Gaussian",
            "-resize", f"{fw}x{fh}!"]


def piece_args(png, pw, ph, rect, h, fw, fh, shade):
    """ImageMagick arguments for one flat piece of a page (rect in page pixels), mapped to the
    frame by the homography h, as a layer the size of the frame (transparent around)."""
    x0, y0, x1, y1 = rect
    hi = np.linalg.inv(h)
    vis = apply(hi, [(0, 0), (fw, 0), (fw, fh), (0, fh)])
    vx0 = max(x0, math.floor(min(p[0] for p in vis)) - 4)
    vy0 = max(y0, math.floor(min(p[1] for p in vis)) - 4)
    vx1 = min(x1, math.ceil(max(p[0] for p in vis)) + 4)
    vy1 = min(y1, math.ceil(max(p[1] for p in vis)) + 4)
    if vx1 - vx0 < 8 or vy1 - vy0 < 8:
        return []
    cw, ch = vx1 - vx0, vy1 - vy0
    # Shrink the crop first to about its size in the frame, so that the perspective
    # resampling works at about 1:1 (fast, and as sharp as a camera sees it).
    dst = apply(h, [(vx0, vy0), (vx1, vy0), (vx1, vy1), (vx0, vy1)])
    scale = math.sqrt(abs(area(dst)) / (cw * ch))
    s = min(1.0, scale)
    rw, rh = max(2, round(cw * s)), max(2, round(ch * s))
    sx, sy = rw / cw, rh / ch
    src = [(0, 0), (rw, 0), (rw, rh), (0, rh)]
    cps = " ".join(f"{a:.2f},{b:.2f} {c:.2f},{d:.2f}" for (a, b), (c, d) in zip(src, dst))
    del sx, sy
    args = ["(", str(png), "-crop", f"{cw}x{ch}+{vx0}+{vy0}", "+repage"]
    if s < 1.0:
        args += ["-resize", f"{rw}x{rh}!"]
    if shade != 1.0:
        args += ["-channel", "RGB", "-evaluate", "multiply", f"{shade:.3f}", "+channel"]
    # Bilinear lookup, no EWA: the crop is already about the right size (and EWA is slow).
    args += ["-alpha", "set", "-virtual-pixel", "transparent", "-interpolate", "bilinear",
             "-filter", "point",
             "-define", f"distort:viewport={fw}x{fh}+0+0", "-distort", "Perspective", cps,
             "+repage", "+filter", "+interpolate", ")", "-compose", "over", "-composite"]
    return args


def area(pts):
    return 0.5 * sum(pts[i][0] * pts[(i + 1) % 4][1] - pts[(i + 1) % 4][0] * pts[i][1]
                     for i in range(4))


# ---------------------------------------------------------------- recipes


class Page:
    """A printed certificate: its rasters and where its QR code is."""

    def __init__(self, idx, serial, text, png150, png300, qr300, modules):
        self.idx, self.serial, self.text = idx, serial, text
        self.png150, self.png300 = png150, png300
        self.w, self.h = Image.open(png300).size
        self.qr = qr300  # corners at 300 dpi
        self.modules = modules


def page_h(page, fcx, fcy, fw_page, angle=0.0, keystone=0.0, axis=0, jitter=0.0, rng=None):
    """The homography that puts the 300-dpi page centred at (fcx, fcy), fw_page pixels wide."""
    scale = fw_page / page.w
    q = quad(fcx, fcy, page.w * scale, page.h * scale, angle, keystone, axis, jitter, rng)
    return homography([(0, 0), (page.w, 0), (page.w, page.h), (0, page.h)], q)


def qr_h(page, fcx, fcy, qr_side, angle=0.0, keystone=0.0, axis=0, jitter=0.0, rng=None):
    """The homography that puts the page's QR code centred at (fcx, fcy), qr_side wide."""
    qc = page.qr
    qx = sum(p[0] for p in qc) / 4
    qy = sum(p[1] for p in qc) / 4
    qs = side(qc)
    scale = qr_side / qs
    # The page centre relative to the QR centre, in frame pixels.
    dx, dy = (page.w / 2 - qx) * scale, (page.h / 2 - qy) * scale
    c, sn = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    pcx, pcy = fcx + dx * c - dy * sn, fcy + dx * sn + dy * c
    q = quad(pcx, pcy, page.w * scale, page.h * scale, angle, keystone, axis, jitter, rng)
    return homography([(0, 0), (page.w, 0), (page.w, page.h), (0, page.h)], q)


def camera(rng, strength=1.0):
    """What every phone photo gets: a little optical blur, sensor noise, JPEG."""
    return (["-blur", f"0x{rng.uniform(0.4, 0.9) * strength:.2f}",
             "-attenuate", f"{rng.uniform(0.05, 0.2) * strength:.2f}", "+noise", "Gaussian"])


def qr_in_frame(page, h):
    return apply(h, page.qr)


class Picture:
    def __init__(self, name, expected, tags, size, qr_quads, modules, params, args, out_ext, pre=None):
        self.name, self.expected, self.tags = name, expected, tags
        self.size, self.qr_quads, self.modules = size, qr_quads, modules
        self.params, self.args, self.ext = params, args, out_ext
        # A step before ImageMagick (numpy), run when the picture is rendered.
        self.pre = pre


def photo(page, name, rng, tags, frame=(1600, 1200), fit="page", fill=0.92, angle=None,
          keystone=None, jitter=0.01, bg=None, post=None, quality=None, fold=None, params=None,
          post_fn=None, cam=1.0):
    """A phone photo of one page (or several) on a background."""
    fw, fh = frame
    params = dict(params or {})
    if angle is None:
        angle = rng.uniform(-4, 4)
    if keystone is None:
        keystone = rng.uniform(0.0, 0.06)
    axis = rng.randint(0, 1)
    bgk = bg or rng.choice(["wood", "cloth", "plain", "busy"])
    args = ["-seed", str(rng.randint(1, 2**31 - 1)), *background(fw, fh, bgk, rng)]
    quads = []
    for pg in (page,):
        if fit == "page":
            # The page fills `fill` of the frame's height (or width when turned sideways).
            turned = abs(((angle + 45) % 180) - 45) > 45
            avail = (fw if turned else fh) * fill
            width_px = avail * pg.w / pg.h
            avail_w = (fh if turned else fw) * fill
            width_px = min(width_px, avail_w)
            h = page_h(pg, fw / 2 + rng.uniform(-0.03, 0.03) * fw,
                       fh / 2 + rng.uniform(-0.03, 0.03) * fh, width_px, angle, keystone,
                       axis, jitter, rng)
        else:  # fit == ("qr", side): the QR code `side` pixels wide near the centre
            qside = fit[1]
            h = qr_h(pg, fw / 2 + rng.uniform(-0.08, 0.08) * fw,
                     fh / 2 + rng.uniform(-0.08, 0.08) * fh, qside, angle, keystone, axis,
                     jitter, rng)
        pieces = [((0, 0, pg.w, pg.h), h, 1.0)]
        if fold is not None and pg is page:
            pieces = fold_pieces(pg, h, fold, rng)
        for rect, ph_, shade in pieces:
            args += piece_args(pg.png300, pg.w, pg.h, rect, ph_, fw, fh, shade)
        quads.append(apply(h, pg.qr))
        if fold is not None and pg is page:
            args += fold["crease"]
    args += ["-alpha", "off"]
    if post_fn is not None:
        args += post_fn(quads)
    args += post or []
    args += camera(rng, cam)
    q = quality or rng.randint(80, 92)
    params.update(bg=bgk, angle=round(angle, 1), keystone=round(keystone, 3), quality=q)
    args += ["-quality", str(q)]
    return Picture(name, [page.text], tags, (fw, fh), quads, page.modules, params, args, "jpg")


def fold_pieces(page, h, fold, rng):
    """A page folded once across, at page fraction fold["at"] (horizontal or vertical): the far
    part is a plane of its own (tilted: foreshortened, shifted) and darker."""
    at, vertical = fold["at"], fold["vertical"]
    if vertical:
        x = round(page.w * at)
        near, far = (0, 0, x, page.h), (x, 0, page.w, page.h)
        hinge = [(x, 0), (x, page.h)]
        farc = [(page.w, 0), (page.w, page.h)]
    else:
        y = round(page.h * at)
        near, far = (0, 0, page.w, y), (0, y, page.w, page.h)
        hinge = [(0, y), (page.w, y)]
        farc = [(page.w, page.h), (0, page.h)]
    # Foreshortening and sideways shift of the far part, in page pixels.
    k = fold["bend"]
    hx = [p[0] for p in hinge]
    hy = [p[1] for p in hinge]
    moved = []
    for fx, fy in farc:
        if vertical:
            nx = hx[0] + (fx - hx[0]) * (1 - k)
            moved.append((nx, fy + rng.uniform(-1, 1) * k * page.h * 0.05))
        else:
            ny = hy[0] + (fy - hy[0]) * (1 - k)
            moved.append((fx + rng.uniform(-1, 1) * k * page.w * 0.05, ny))
    # Shift of the whole far part across the crease (paper not lying flat).
    off = fold["offset"]
    if vertical:
        src = [hinge[0], farc[0], farc[1], hinge[1]]
        dst = [(hinge[0][0], hinge[0][1] + off), moved[0], moved[1], (hinge[1][0], hinge[1][1] + off)]
    else:
        src = [hinge[0], hinge[1], farc[0], farc[1]]
        dst = [(hinge[0][0] + off, hinge[0][1]), (hinge[1][0] + off, hinge[1][1]), moved[0], moved[1]]
    g = homography(src, dst)  # far part, page → bent page
    hf = h @ g
    hf = hf / hf[2, 2]
    a, b = apply(h, hinge)
    fold["crease"] = ["-stroke", "rgba(0,0,0,0.45)", "-strokewidth", str(fold["width"]),
                      "-draw", f"line {a[0]:.1f},{a[1]:.1f} {b[0]:.1f},{b[1]:.1f}",
                      "-stroke", "rgba(255,255,255,0.5)", "-strokewidth", "1",
                      "-draw", f"line {a[0] + 2:.1f},{a[1] + 2:.1f} {b[0] + 2:.1f},{b[1] + 2:.1f}",
                      "-stroke", "none"]
    return [(near, h, 1.0), (far, hf, fold["shade"])]


def lighting(fw, fh, rng, low):
    """Uneven light: the picture multiplied by a gradient from full light to `low`."""
    a = (rng.uniform(0, fw), rng.uniform(0, fh))
    b = (fw - a[0] + rng.uniform(-fw / 4, fw / 4), fh - a[1] + rng.uniform(-fh / 4, fh / 4))
    return ["(", "-size", f"{fw}x{fh}", "xc:", "-sparse-color", "Barycentric",
            f"{a[0]:.0f},{a[1]:.0f} gray(100%) {b[0]:.0f},{b[1]:.0f} gray({low:.0f}%)", ")",
            "-compose", "Multiply", "-composite"]


def glare(fw, fh, qr, rng, strength, cover):
    """A bright soft ellipse (a lamp's reflection) over part of the QR code."""
    xs, ys = [p[0] for p in qr], [p[1] for p in qr]
    qs = max(max(xs) - min(xs), max(ys) - min(ys))
    cx = rng.uniform(min(xs), max(xs))
    cy = rng.uniform(min(ys), max(ys))
    rx, ry = qs * cover * rng.uniform(0.4, 0.7), qs * cover * rng.uniform(0.25, 0.5)
    d = 4
    return ["(", "-size", f"{fw // d}x{fh // d}", "xc:black", "-fill", f"gray({strength:.0f}%)",
            "-draw", f"ellipse {cx / d:.1f},{cy / d:.1f} {rx / d:.1f},{ry / d:.1f} 0,360",
            "-blur", f"0x{max(rx, ry) / d / 3:.1f}", "-resize", f"{fw}x{fh}!", ")",
            "-compose", "Screen", "-composite"]


def scan(page, name, rng, tags, dpi, rotate=0.0, quality=None, gray=False, params=None):
    """A scanner's picture: the raster as is, perhaps turned, grey, JPEG."""
    png = page.png150 if dpi == 150 else page.png300
    f = dpi / 300
    w, h = round(page.w * f), round(page.h * f)
    args = [str(png)]
    qr = [(x * f, y * f) for x, y in page.qr]
    if gray:
        args += ["-colorspace", "Gray"]
    if rotate:
        args += ["-background", "white", "-rotate", f"{rotate:.2f}", "+repage"]
        t = math.radians(rotate)
        c, s = math.cos(t), math.sin(t)
        # The rotated canvas: the bounding box of the turned page.
        nw = abs(w * c) + abs(h * s)
        nh = abs(w * s) + abs(h * c)
        qr = [((x - w / 2) * c - (y - h / 2) * s + nw / 2, (x - w / 2) * s + (y - h / 2) * c + nh / 2)
              for x, y in qr]
        w, h = round(nw), round(nh)
    params = dict(params or {}, dpi=dpi, rotate=rotate)
    ext = "png"
    if quality:
        args += ["-quality", str(quality)]
        params["quality"] = quality
        ext = "jpg"
    return Picture(name, [page.text], tags, (w, h), [qr], page.modules, params, args, ext)


def frame_for(rng):
    return rng.choice([(1600, 1200), (1200, 1600)])


def make_recipes():
    """(name, weight, function(page, name, rng) -> Picture)."""
    R = []

    def add(name, fn):
        R.append((name, fn))

    add("scan150", lambda p, n, r: scan(p, n, r, ["scan", "150dpi", "clean"], 150))
    add("scan300", lambda p, n, r: scan(p, n, r, ["scan", "300dpi", "clean"], 300))
    add("scan-rot-small", lambda p, n, r: scan(
        p, n, r, ["scan", "150dpi", "rotate-small"], 150, rotate=r.choice([-1, 1]) * r.uniform(1, 12)))
    add("scan-rot-90", lambda p, n, r: scan(
        p, n, r, ["scan", "150dpi", "rotate-90"], 150, rotate=r.choice([90, 180, 270]), gray=True))
    add("scan-jpeg", lambda p, n, r: scan(
        p, n, r, ["scan", "150dpi", "jpeg-low"], 150, quality=r.randint(8, 25)))
    add("photo", lambda p, n, r: photo(p, n, r, ["photo", "2mp", "mild"], frame_for(r)))
    add("perspective", lambda p, n, r: photo(
        p, n, r, ["photo", "2mp", "perspective"], frame_for(r), fill=0.85,
        keystone=r.uniform(0.15, 0.35), jitter=0.03))
    add("rotate-small", lambda p, n, r: photo(
        p, n, r, ["photo", "2mp", "rotate-small"], frame_for(r), fill=0.8,
        angle=r.choice([-1, 1]) * r.uniform(8, 40)))
    add("rotate-90", lambda p, n, r: photo(
        p, n, r, ["photo", "2mp", "rotate-90"], frame_for(r),
        angle=r.choice([90, 180, 270]) + r.uniform(-4, 4)))
    add("blur", lambda p, n, r: (lambda s: photo(
        p, n, r, ["photo", "2mp", "blur"], frame_for(r), post=["-blur", f"0x{s:.2f}"],
        params={"sigma": round(s, 2)}))(r.uniform(1.0, 2.6)))
    add("motion-blur", lambda p, n, r: (lambda s, a: photo(
        p, n, r, ["photo", "2mp", "motion-blur"], frame_for(r),
        post=["-motion-blur", f"0x{s:.1f}+{a:.0f}"], params={"sigma": round(s, 1), "dir": round(a)}))(
        r.uniform(1.5, 4.0), r.uniform(0, 180)))
    add("noise", lambda p, n, r: (lambda a: photo(
        p, n, r, ["photo", "2mp", "noise"], frame_for(r), post=["-attenuate", f"{a:.2f}", "+noise", "Gaussian"],
        params={"attenuate": round(a, 2)}))(r.uniform(0.6, 1.6)))
    add("jpeg-low", lambda p, n, r: photo(
        p, n, r, ["photo", "2mp", "jpeg-low"], frame_for(r), quality=r.randint(6, 25)))
    add("uneven-light", lambda p, n, r: (lambda f, low: photo(
        p, n, r, ["photo", "2mp", "uneven-light"], f, post=lighting(*f, r, low),
        params={"low": round(low)}))(frame_for(r), r.uniform(12, 45)))
    add("glare", lambda p, n, r: glare_photo(p, n, r))
    add("fold", lambda p, n, r: fold_photo(p, n, r))
    add("low-contrast", lambda p, n, r: (lambda lo, hi: photo(
        p, n, r, ["photo", "2mp", "low-contrast"], frame_for(r), post=["+level", f"{lo:.0f}%,{hi:.0f}%"],
        params={"level": f"{lo:.0f}-{hi:.0f}"}))(*r.choice([(r.uniform(30, 45), r.uniform(65, 75)),
                                                          (r.uniform(5, 10), r.uniform(30, 40))])))
    add("small", lambda p, n, r: (lambda fr, fill: photo(
        p, n, r, ["photo", "small-in-frame", "12mp" if fr[0] > 2000 else "2mp"], fr, fill=fill,
        params={"fill": round(fill, 2)}))(*r.choice([((4000, 3000), r.uniform(0.3, 0.5)),
                                                     ((1600, 1200), r.uniform(0.55, 0.7))])))
    add("closeup", lambda p, n, r: photo(
        p, n, r, ["photo", "2mp", "closeup"], frame_for(r), fit=("qr", r.uniform(300, 600))))
    add("large", lambda p, n, r: photo(
        p, n, r, ["photo", "2mp", "large"], frame_for(r), fit=("qr", r.uniform(900, 1150)),
        angle=r.uniform(-10, 10)))
    add("combo", lambda p, n, r: (lambda f: photo(
        p, n, r, ["photo", "2mp", "combo", "perspective", "blur", "noise", "uneven-light"], f,
        keystone=r.uniform(0.1, 0.25), angle=r.uniform(-20, 20),
        post=lighting(*f, r, r.uniform(35, 60)) + ["-blur", f"0x{r.uniform(0.8, 1.6):.2f}",
                                                   "-attenuate", f"{r.uniform(0.4, 0.8):.2f}", "+noise", "Gaussian"],
        quality=r.randint(30, 60)))(frame_for(r)))
    add("video720", lambda p, n, r: photo(
        p, n, r, ["photo", "720p"], (1280, 720), fit=("qr", r.uniform(180, 420)),
        angle=r.uniform(-15, 15), keystone=r.uniform(0, 0.15), quality=r.randint(60, 85)))
    return R


def glare_photo(p, n, r):
    f = frame_for(r)
    strength, cover = r.uniform(60, 100), r.uniform(0.3, 0.8)
    # The glare goes where the QR code landed.
    return photo(p, n, r, ["photo", "2mp", "glare"], f,
                 params={"strength": round(strength), "cover": round(cover, 2)},
                 post_fn=lambda quads: glare(*f, quads[0], r, strength, cover))


def fold_photo(p, n, r):
    qy = sum(pt[1] for pt in p.qr) / 4 / p.h
    qx = sum(pt[0] for pt in p.qr) / 4 / p.w
    through = r.random() < 0.6
    vertical = r.random() < 0.4
    if through:  # the crease runs across the QR code
        at = (qx if vertical else qy) + r.uniform(-0.02, 0.02)
    else:
        at = r.choice([1 / 3, 2 / 3, 0.5])
    fold = {"at": at, "vertical": vertical, "bend": r.uniform(0.02, 0.12),
            "offset": r.uniform(-6, 6), "shade": r.uniform(0.7, 0.92), "width": r.randint(1, 3)}
    tags = ["photo", "2mp", "fold"] + (["fold-through-qr"] if through else [])
    return photo(p, n, r, tags, frame_for(r), fill=0.88, fold=fold,
                 params={"fold_at": round(at, 3), "vertical": vertical, "bend": round(fold["bend"], 3)})


def two_pages(pages, name, rng):
    a, b = rng.sample(pages, 2)
    fw, fh = rng.choice([(2000, 1500), (1600, 1200)])
    wpx = fw * 0.46
    ha = page_h(a, fw * 0.26, fh / 2, wpx, rng.uniform(-5, 5), rng.uniform(0, 0.08), 0, 0.01, rng)
    hb = page_h(b, fw * 0.74, fh / 2, wpx, rng.uniform(-5, 5), rng.uniform(0, 0.08), 0, 0.01, rng)
    pic = photo_fixed(a, ha, b, hb, name, rng, (fw, fh))
    pic.tags = ["photo", "two-certs", "2mp" if fw == 1600 else "3mp"]
    return pic


def photo_fixed(a, ha, b, hb, name, rng, frame):
    fw, fh = frame
    bgk = rng.choice(["wood", "cloth", "plain"])
    args = ["-seed", str(rng.randint(1, 2**31 - 1)), *background(fw, fh, bgk, rng)]
    for pg, h in ((a, ha), (b, hb)):
        args += piece_args(pg.png300, pg.w, pg.h, (0, 0, pg.w, pg.h), h, fw, fh, 1.0)
    args += ["-alpha", "off", *camera(rng), "-quality", str(rng.randint(80, 92))]
    return Picture(name, [a.text, b.text], [], (fw, fh), [apply(ha, a.qr), apply(hb, b.qr)],
                   a.modules, {"bg": bgk}, args, "jpg")


def no_qr(pages, name, rng, kind):
    """Pictures without a QR code: a background, or a page with its QR code painted over."""
    fw, fh = frame_for(rng)
    if kind == "background":
        bgk = rng.choice(["wood", "cloth", "busy", "plain"])
        args = ["-seed", str(rng.randint(1, 2**31 - 1)), *background(fw, fh, bgk, rng),
                *camera(rng), "-quality", "88"]
        return Picture(name, [], ["no-qr"], (fw, fh), [], None, {"bg": bgk}, args, "jpg")
    p = rng.choice(pages)
    xs, ys = [q[0] for q in p.qr], [q[1] for q in p.qr]
    blank = p.png300.with_name(p.png300.stem + "-noqr.ppm")
    if not blank.exists():
        run([CONVERT, str(p.png300), "-fill", "white", "-draw",
             f"rectangle {min(xs) - 30:.0f},{min(ys) - 30:.0f} {max(xs) + 30:.0f},{max(ys) + 30:.0f}",
             str(blank)])
    q = Page(p.idx, None, None, p.png150, blank, p.qr, p.modules)
    pic = photo(q, name, rng, ["no-qr", "photo", "2mp"], (fw, fh))
    pic.expected, pic.qr_quads = [], []
    return pic


def foreign(pages, work, name, rng, i):
    """A certificate whose QR code was replaced by another (not Sonod's) one."""
    text = FOREIGN[i % len(FOREIGN)]
    p = rng.choice(pages)
    xs, ys = [q[0] for q in p.qr], [q[1] for q in p.qr]
    side_ = round(max(max(xs) - min(xs), max(ys) - min(ys)))
    code = work / f"foreign{i}.png"
    img = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=8, add_quiet_zones=False)
    Image.fromarray(np.array(img)).resize((side_, side_), Image.NEAREST).save(code)
    fake = work / f"foreign{i}-page.ppm"
    run([CONVERT, str(p.png300), str(code), "-geometry", f"+{min(xs):.0f}+{min(ys):.0f}",
         "-compose", "over", "-composite", str(fake)])
    q = Page(p.idx, None, text, p.png150, fake, p.qr, None)
    if i % 2 == 0:
        pic = photo(q, name, rng, ["foreign-qr", "photo", "2mp"], frame_for(rng))
    else:
        pic = photo(q, name, rng, ["foreign-qr", "photo", "2mp", "closeup"], frame_for(rng),
                    fit=("qr", rng.uniform(300, 500)))
    pic.expected = [text]
    return pic


# ---------------------------------------------------------------- the kinds of trouble (issue #17)
#
# Each kind is a tag of its own, so that bench.py reports a read rate per kind: `screen`
# (`screen-phone`, `screen-monitor`), `closeup-fill`, `blur-strong` (`defocus`,
# `motion-strong`), `glare-specular` and `many-codes` (bench.py also counts codes read per
# picture there).

# Screens: name, width × height in pixels (as the picture shows it: phones upright), the order
# of the subpixels in a pixel ("rgb", "bgr"; "rgb-h" stripes lying down, a phone turned).
PHONES = [
    ("phone-720p", 720, 1600, "rgb"),
    ("phone-1080p", 1080, 2400, "rgb"),
    ("phone-1440p", 1440, 3200, "bgr"),
    ("phone-1080-land", 2340, 1080, "rgb-h"),
]
MONITORS = [
    ("monitor-fhd", 1920, 1080, "rgb"),
    ("monitor-qhd", 2560, 1440, "rgb"),
    ("laptop-fhd", 1920, 1200, "bgr"),
]
SCREEN_FRAMES = [(1280, 720), (1920, 1080), (1600, 1200), (1200, 1600)]

# A screen pixel is drawn as SUB × SUB samples: one column (or row) each for R, G, B, and the
# last row (or column) of the three dimmed (the black matrix between pixels).
SUB = 3


def screen_photo(page, name, rng, kind):
    """A photo of the certificate's QR code shown on a screen (the downloaded PDF or PNG, drawn
    at the screen's resolution): subpixel stripes, moiré from the camera sampling them at a
    non-integer, turned scale, glare on the glass, a dark surround, bloom around the bright
    screen, perspective."""
    dev, sw, sh, layout = rng.choice(PHONES if kind == "phone" else MONITORS)
    fw, fh = rng.choice(SCREEN_FRAMES)
    short = min(fw, fh)
    if kind == "phone":
        # The PNG, or the PDF zoomed in on the code: most of the screen's width.
        s = min(sw, sh) * rng.uniform(0.3, 0.85)
        cam_q = short * rng.uniform(0.2, 0.6)
        angle = rng.uniform(-30, 30)
        keystone = rng.uniform(0.0, 0.3)
    else:
        # The PDF at 100–200 %: a few hundred pixels.
        s = rng.uniform(160, 450)
        cam_q = rng.uniform(180, short * 0.6)
        angle = rng.uniform(-15, 15)
        keystone = rng.uniform(0.0, 0.3)
    c = cam_q / s  # camera pixels a screen pixel
    qx = sw / 2 + rng.uniform(-0.3, 0.3) * max(0.0, sw - s * 1.2)
    qy = sh / 2 + rng.uniform(-0.3, 0.3) * max(0.0, sh - s * 1.2)
    qx = min(max(qx, s * 0.6), sw - s * 0.6)
    qy = min(max(qy, s * 0.6), sh - s * 0.6)
    # Screen pixels → frame: the code's centre near the frame's centre.
    fcx, fcy = fw / 2 + rng.uniform(-0.1, 0.1) * fw, fh / 2 + rng.uniform(-0.1, 0.1) * fh
    ca, sa = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    dx, dy = (sw / 2 - qx) * c, (sh / 2 - qy) * c
    q = quad(fcx + dx * ca - dy * sa, fcy + dx * sa + dy * ca, sw * c, sh * c, angle, keystone,
             rng.randint(0, 1), 0.005, rng)
    hs = homography([(0, 0), (sw, 0), (sw, sh), (0, sh)], q)
    # The page's pixels (300 dpi) → screen pixels.
    qc = page.qr
    pqx, pqy = sum(p[0] for p in qc) / 4, sum(p[1] for p in qc) / 4
    scale = s / side(qc)
    qr_screen = [((x - pqx) * scale + qx, (y - pqy) * scale + qy) for x, y in qc]
    qr_frame = apply(hs, qr_screen)
    # Keep the code in the frame.
    xs, ys = [p[0] for p in qr_frame], [p[1] for p in qr_frame]
    sx = max(0.0, 4 - min(xs)) - max(0.0, max(xs) - (fw - 4))
    sy = max(0.0, 4 - min(ys)) - max(0.0, max(ys) - (fh - 4))
    if sx or sy:
        hs = np.array([[1, 0, sx], [0, 1, sy], [0, 0, 1]], float) @ hs
        qr_frame = apply(hs, qr_screen)
    look = {
        "device": dev, "layout": layout, "screen": [sw, sh], "qr_screen_px": round(s),
        "cam_per_screen_px": round(c, 3), "angle": round(angle, 1), "keystone": round(keystone, 3),
        "viewer": rng.choice([0.94, 0.2, 0.12]),  # the viewer around the page: light or dark
        "gain": rng.uniform(2.6, 5.0),  # exposure: white at 0.7–1.3 (clipped)
        "surround": rng.uniform(0.02, 0.2),
        "bloom": rng.uniform(0.1, 0.8), "bloom_r": rng.uniform(0.006, 0.025),
        "glare": rng.choice(["none", "spot", "band", "spot"]),
        "glare_strength": rng.uniform(0.3, 0.8),
        "seed": rng.randint(1, 2**31 - 1),
    }
    work = page.png300.parent
    mid = work / f"{name}-screen.png"

    def pre():
        render_screen(page, mid, (fw, fh), hs, (sw, sh), (qx, qy), (pqx, pqy), scale, layout, look)

    quality = rng.randint(70, 92)
    args = [str(mid), *camera(rng, 1.0), "-quality", str(quality)]
    params = dict(look, quality=quality)
    tags = ["photo", "screen", f"screen-{kind}"]
    return Picture(name, [page.text], tags, (fw, fh), [qr_frame], page.modules, params, args, "jpg",
                   pre=pre)


def render_screen(page, out, frame, hs, screen, qpos, pq, scale, layout, look):
    from PIL import ImageDraw, ImageFilter

    fw, fh = frame
    sw, sh = screen
    # The part of the screen the frame shows (screen pixels), a little wider.
    inv = np.linalg.inv(hs)
    vis = apply(inv, [(0, 0), (fw, 0), (fw, fh), (0, fh)])
    vx0 = max(0, math.floor(min(p[0] for p in vis)) - 4)
    vy0 = max(0, math.floor(min(p[1] for p in vis)) - 4)
    vx1 = min(sw, math.ceil(max(p[0] for p in vis)) + 4)
    vy1 = min(sh, math.ceil(max(p[1] for p in vis)) + 4)
    rw, rh = vx1 - vx0, vy1 - vy0
    # What the screen shows there: the page, resampled to the screen's pixels as a viewer does
    # (Lanczos), on the viewer's ground.
    viewer = round(look["viewer"] * 255)
    shown = Image.new("RGB", (rw, rh), (viewer, viewer, viewer))
    src = Image.open(page.png300).convert("RGB")

    def to_page(x, y):
        return (x - qpos[0]) / scale + pq[0], (y - qpos[1]) / scale + pq[1]

    px0, py0 = to_page(vx0, vy0)
    px1, py1 = to_page(vx1, vy1)
    cx0, cy0 = max(0.0, px0), max(0.0, py0)
    cx1, cy1 = min(float(src.width), px1), min(float(src.height), py1)
    if cx1 > cx0 + 1 and cy1 > cy0 + 1:
        ox, oy = round((cx0 - pq[0]) * scale + qpos[0] - vx0), round((cy0 - pq[1]) * scale + qpos[1] - vy0)
        tw, th = max(1, round((cx1 - cx0) * scale)), max(1, round((cy1 - cy0) * scale))
        part = src.resize((tw, th), Image.LANCZOS, box=(cx0, cy0, cx1, cy1))
        shown.paste(part, (ox, oy))
    a = np.asarray(shown, dtype=np.uint8)
    # Subpixels: SUB × SUB samples a pixel.
    big = np.repeat(np.repeat(a, SUB, axis=0), SUB, axis=1)
    mask = np.zeros((SUB, SUB, 3), np.uint16)
    order = [2, 1, 0] if layout == "bgr" else [0, 1, 2]
    for i, ch in enumerate(order):
        if layout == "rgb-h":
            mask[i, :, ch] = 256
        else:
            mask[:, i, ch] = 256
    if layout == "rgb-h":
        mask[:, SUB - 1, :] = mask[:, SUB - 1, :] * 35 // 100
    else:
        mask[SUB - 1, :, :] = mask[SUB - 1, :, :] * 35 // 100
    tiled = np.tile(mask, (rh, rw, 1))
    big = ((big.astype(np.uint16) * tiled) >> 8).astype(np.uint8)
    del tiled
    # Onto the camera's sensor at twice the frame's size (bilinear: the sensor's sampling of
    # the stripes at a non-integer, turned scale is the moiré), then averaged down.
    s2 = np.diag([2.0, 2.0, 1.0])
    to_big = np.array([[1 / SUB, 0, vx0], [0, 1 / SUB, vy0], [0, 0, 1]], float)
    h2 = s2 @ hs @ to_big
    hinv = np.linalg.inv(h2)
    hinv = hinv / hinv[2, 2]
    coeffs = tuple(hinv.flatten()[:8])
    size2 = (2 * fw, 2 * fh)
    img = Image.fromarray(big, "RGB").transform(size2, Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    alpha = Image.new("L", (big.shape[1], big.shape[0]), 255).transform(
        size2, Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    del big
    rng = np.random.default_rng(look["seed"])
    # The dark surround: a dim room, the phone's body or the monitor's frame around the screen.
    low = rng.random((fh // 40 + 2, fw // 40 + 2)).astype(np.float32)
    ground = Image.fromarray((low * 255).astype(np.uint8), "L").resize(size2, Image.BICUBIC)
    ground = np.asarray(ground, np.float32) / 255 * look["surround"]
    body = Image.new("L", size2, 0)
    sc = apply(h2 @ np.linalg.inv(to_big), [(-0.04 * sw, -0.04 * sh), (1.04 * sw, -0.04 * sh),
                                           (1.04 * sw, 1.04 * sh), (-0.04 * sw, 1.04 * sh)])
    ImageDraw.Draw(body).polygon(sc, fill=255)
    body = np.asarray(body, np.float32)[..., None] / 255
    ground = ground[..., None] * (1 - body) + 0.03 * body
    al = np.asarray(alpha, np.float32)[..., None] / 255
    f = np.asarray(img, np.float32) / 255 * look["gain"] * al + ground * (1 - al)
    f = np.asarray(Image.fromarray(np.clip(f * 255 / 4, 0, 255).astype(np.uint8), "RGB").reduce(2),
                   np.float32) / 255 * 4
    # Bloom: the bright screen's light spread by the lens.
    r = look["bloom_r"] * fw
    bright = np.clip(f - 0.6, 0, 1)
    bimg = Image.fromarray((bright.mean(axis=2) * 255).astype(np.uint8), "L").filter(
        ImageFilter.GaussianBlur(r))
    f = f + look["bloom"] * (np.asarray(bimg, np.float32)[..., None] / 255)
    # Glare: a lamp's reflection on the glass (a soft spot), or a window's (a wide band).
    if look["glare"] != "none":
        g = Image.new("L", (fw // 4, fh // 4), 0)
        d = ImageDraw.Draw(g)
        cx, cy = rng.uniform(0.25, 0.75) * fw / 4, rng.uniform(0.25, 0.75) * fh / 4
        if look["glare"] == "spot":
            rx, ry = rng.uniform(0.06, 0.2) * fw / 4, rng.uniform(0.05, 0.15) * fh / 4
            d.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=255)
            blur = max(rx, ry) / 2
        else:
            t = rng.uniform(0, math.pi)
            half = rng.uniform(0.08, 0.25) * fw / 4
            ux, uy = math.cos(t), math.sin(t)
            L = fw
            d.polygon([(cx - ux * L - uy * half, cy - uy * L + ux * half),
                       (cx + ux * L - uy * half, cy + uy * L + ux * half),
                       (cx + ux * L + uy * half, cy + uy * L - ux * half),
                       (cx - ux * L + uy * half, cy - uy * L - ux * half)], fill=255)
            blur = half / 2
        g = g.filter(ImageFilter.GaussianBlur(blur)).resize((fw, fh), Image.BILINEAR)
        gl = np.asarray(g, np.float32)[..., None] / 255 * look["glare_strength"]
        f = 1 - (1 - np.clip(f, 0, 1)) * (1 - gl)
    Image.fromarray((np.clip(f, 0, 1) * 255 + 0.5).astype(np.uint8), "RGB").save(out)


def closeup_fill(page, name, rng):
    """The code fills the frame: 75–100 % of the shorter side, the quiet zone partly cut, often
    a little out of focus."""
    fw, fh = rng.choice([(1600, 1200), (1200, 1600), (1280, 720)])
    short = min(fw, fh)
    frac = rng.uniform(0.75, 1.0)
    angle = rng.uniform(-8, 8)
    keystone = rng.uniform(0.0, 0.08)
    h = qr_h(page, fw / 2, fh / 2, short * frac, angle, keystone, rng.randint(0, 1), 0.003, rng)
    qrq = apply(h, page.qr)
    xs, ys = [p[0] for p in qrq], [p[1] for p in qrq]
    # Too large once turned: smaller, about the centre.
    span = max((max(xs) - min(xs)) / (fw - 2), (max(ys) - min(ys)) / (fh - 2))
    if span > 1:
        c = np.array([[1 / span, 0, fw / 2 * (1 - 1 / span)], [0, 1 / span, fh / 2 * (1 - 1 / span)],
                      [0, 0, 1]])
        h = c @ h
        qrq = apply(h, page.qr)
        xs, ys = [p[0] for p in qrq], [p[1] for p in qrq]
    # Anywhere the code still fits: one side's quiet zone cut more than the other's.
    lo_x, hi_x = 1 - min(xs), fw - 1 - max(xs)
    lo_y, hi_y = 1 - min(ys), fh - 1 - max(ys)
    tx = rng.uniform(min(lo_x, 0), max(hi_x, 0))
    ty = rng.uniform(min(lo_y, 0), max(hi_y, 0))
    h = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], float) @ h
    # Too close to focus, often: a little defocus.
    blur = rng.uniform(0.3, 2.5)
    pic = photo_h(page, name, rng, ["photo", "closeup-fill"], (fw, fh), h,
                  post=["-blur", f"0x{blur:.2f}"],
                  params={"fill": round(frac, 2), "angle": round(angle, 1), "sigma": round(blur, 2)})
    return pic


def photo_h(page, name, rng, tags, frame, h, post=None, params=None, cam=1.0, quality=None):
    """A phone photo of one page placed by the homography h."""
    fw, fh = frame
    bgk = rng.choice(["wood", "cloth", "plain", "busy"])
    args = ["-seed", str(rng.randint(1, 2**31 - 1)), *background(fw, fh, bgk, rng)]
    args += piece_args(page.png300, page.w, page.h, (0, 0, page.w, page.h), h, fw, fh, 1.0)
    args += ["-alpha", "off", *(post or []), *camera(rng, cam)]
    q = quality or rng.randint(80, 92)
    args += ["-quality", str(q)]
    params = dict(params or {}, bg=bgk, quality=q)
    return Picture(name, [page.text], tags, (fw, fh), [apply(h, page.qr)], page.modules, params,
                   args, "jpg")


def strong_blur(page, name, rng, kind):
    """Defocus (a disc, as a lens out of focus spreads a point) or motion blur, stronger than
    the `blur` and `motion-blur` recipes: in module widths, a disc of radius 0.5–1.1 or a
    motion of σ 0.8–1.8, on codes of 250–650 pixels (a phone held close, or moving)."""
    fw, fh = frame_for(rng)
    qside = rng.uniform(250, 650)
    mod = qside / (page.modules or 33)
    if kind == "defocus":
        r = mod * rng.uniform(0.5, 1.1)
        post = ["-define", "convolve:scale=!", "-morphology", "Convolve", f"Disk:{r:.2f}"]
        params = {"disk_r": round(r, 2), "disk_modules": round(r / mod, 2)}
    else:
        s, a = mod * rng.uniform(0.8, 1.8), rng.uniform(0, 180)
        post = ["-motion-blur", f"0x{s:.2f}+{a:.0f}"]
        params = {"sigma": round(s, 2), "sigma_modules": round(s / mod, 2), "dir": round(a)}
    params["qr"] = round(qside)
    return photo(page, name, rng, ["photo", "2mp", "blur-strong", kind], (fw, fh), fit=("qr", qside),
                 angle=rng.uniform(-20, 20), post=post, params=params)


def specular(fw, fh, qr, rng, spots):
    """Specular highlights (a lamp on glossy or laminated paper): small saturated cores with a
    soft edge, and sometimes a streak, over parts of the QR code."""
    xs, ys = [p[0] for p in qr], [p[1] for p in qr]
    qs = max(max(xs) - min(xs), max(ys) - min(ys))
    d = 2
    args = ["(", "-size", f"{fw // d}x{fh // d}", "xc:black", "-fill", "white"]
    blur = 1.0
    for i in range(spots):
        cx, cy = rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))
        if i == 0 and rng.random() < 0.4:  # a streak across the code
            t = rng.uniform(0, math.pi)
            L, wd = qs * rng.uniform(0.5, 1.0), qs * rng.uniform(0.03, 0.08)
            ux, uy = math.cos(t) * L / 2, math.sin(t) * L / 2
            args += ["-stroke", "white", "-strokewidth", f"{wd / d:.1f}", "-draw",
                     f"line {(cx - ux) / d:.1f},{(cy - uy) / d:.1f} {(cx + ux) / d:.1f},{(cy + uy) / d:.1f}",
                     "-stroke", "none"]
            blur = max(blur, wd / d / 3)
        else:
            rx, ry = qs * rng.uniform(0.08, 0.3), qs * rng.uniform(0.05, 0.2)
            args += ["-draw", f"ellipse {cx / d:.1f},{cy / d:.1f} {rx / d:.1f},{ry / d:.1f} 0,360"]
            blur = max(blur, min(rx, ry) / d / 3)
    args += ["-blur", f"0x{blur:.1f}", "-resize", f"{fw}x{fh}!", ")", "-compose", "Screen", "-composite"]
    return args


def glare_specular(page, name, rng):
    f = frame_for(rng)
    spots = rng.randint(1, 4)
    qside = rng.uniform(250, 700)
    return photo(page, name, rng, ["photo", "2mp", "glare-specular"], f, fit=("qr", qside),
                 angle=rng.uniform(-15, 15), params={"spots": spots, "qr": round(qside)},
                 post_fn=lambda quads: specular(*f, quads[0], rng, spots))


TROUBLE = [
    ("screen-phone", lambda p, n, r: screen_photo(p, n, r, "phone")),
    ("screen-monitor", lambda p, n, r: screen_photo(p, n, r, "monitor")),
    ("closeup-fill", closeup_fill),
    ("defocus", lambda p, n, r: strong_blur(p, n, r, "defocus")),
    ("motion-strong", lambda p, n, r: strong_blur(p, n, r, "motion-strong")),
    ("glare-specular", glare_specular),
]


def many_codes(pages, name, rng):
    """4–12 certificates and QR slips on a table in one picture, turned every way, some small:
    whole pages (the code small) and slips cut around the code."""
    n = min(len(pages), rng.randint(4, 12))
    chosen = rng.sample(pages, n)
    fw, fh = rng.choice([(4000, 3000), (3264, 2448), (2000, 1500)])
    cols = {4: 2, 5: 3, 6: 3, 7: 3, 8: 4, 9: 3}.get(n, 4)
    rows = math.ceil(n / cols)
    cw, ch = fw / cols, fh / rows
    cells = rng.sample(range(cols * rows), n)
    bgk = rng.choice(["wood", "cloth", "plain"])
    args = ["-seed", str(rng.randint(1, 2**31 - 1)), *background(fw, fh, bgk, rng)]
    quads, kinds = [], []
    for pg, cell in zip(chosen, cells):
        cx = (cell % cols + 0.5) * cw + rng.uniform(-0.05, 0.05) * cw
        cy = (cell // cols + 0.5) * ch + rng.uniform(-0.05, 0.05) * ch
        # A whole page where its code still gets 2 pixels a module; else a slip.
        page_mod = 0.9 * min(cw, ch) / pg.h * side(pg.qr) / (pg.modules or 33)
        if rng.random() < 0.35 and page_mod >= 2.0:
            rect = (0, 0, pg.w, pg.h)
            angle = rng.uniform(-25, 25) + rng.choice([0, 0, 90, 180, 270])
            kinds.append("page")
        else:
            xs, ys = [p[0] for p in pg.qr], [p[1] for p in pg.qr]
            m = side(pg.qr) * rng.uniform(0.12, 0.5)
            rect = (max(0, round(min(xs) - m)), max(0, round(min(ys) - m)),
                    min(pg.w, round(max(xs) + m)), min(pg.h, round(max(ys) + m)))
            angle = rng.uniform(0, 360)
            kinds.append("slip")
        rw, rh = rect[2] - rect[0], rect[3] - rect[1]
        size = rng.uniform(0.45, 1.0) if kinds[-1] == "slip" else 1.0
        keystone, axis = rng.uniform(0, 0.1), rng.randint(0, 1)
        for _ in range(40):  # smaller until it lies within its cell
            s = size * min(cw, ch) / max(rw, rh)
            q = quad(cx, cy, rw * s, rh * s, angle, keystone, axis, 0.005, rng)
            qx, qy = [p[0] for p in q], [p[1] for p in q]
            if (max(qx) - min(qx) <= cw * 0.96 and max(qy) - min(qy) <= ch * 0.96):
                break
            size *= 0.92
        h = homography([(rect[0], rect[1]), (rect[2], rect[1]), (rect[2], rect[3]), (rect[0], rect[3])], q)
        args += piece_args(pg.png300, pg.w, pg.h, rect, h, fw, fh, rng.uniform(0.85, 1.0))
        quads.append(apply(h, pg.qr))
    args += ["-alpha", "off", *camera(rng), "-quality", str(rng.randint(80, 92))]
    mp = f"{round(fw * fh / 1e6)}mp"
    return Picture(name, [p.text for p in chosen], ["photo", "many-codes", mp], (fw, fh), quads,
                   chosen[0].modules, {"bg": bgk, "codes": n, "items": kinds}, args, "jpg")


# ---------------------------------------------------------------- main


def render(out, pic, path=None):
    path = path or out / "photos" / f"{pic.name}.{pic.ext}"
    if pic.pre is not None:
        pic.pre()
    tmp = path.with_name(path.stem + ".tmp." + pic.ext)
    run([CONVERT, *pic.args, str(tmp)], env=dict(os.environ, MAGICK_THREAD_LIMIT="1"))
    tmp.rename(path)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--bin", required=True, type=Path)
    ap.add_argument("--certs", type=int, default=36)
    ap.add_argument("--per-cert", type=int, default=12)
    ap.add_argument("--extras", type=int, default=8, help="each of: two certificates, no QR, foreign QR")
    ap.add_argument("--trouble", type=int, default=6,
                    help="pictures a certificate of the kinds of trouble (screens, close-ups, strong "
                         "blur, specular glare), in turn")
    ap.add_argument("--many", type=int, default=10, help="pictures of many codes (4–12) each")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--seed", type=int, default=20261129)
    a = ap.parse_args()
    out = a.out.resolve()
    bindir = a.bin.resolve()
    t0 = time.time()
    rng = random.Random(a.seed)
    for d in ("work", "photos"):
        shutil.rmtree(out / d, ignore_errors=True)
        (out / d).mkdir(parents=True)

    certs = issue(out, bindir, a.certs, rng)
    log(f"issued {len(certs)} certificates ({time.time() - t0:.0f} s)")
    with ThreadPoolExecutor(max_workers=a.jobs) as ex:
        pdfs = list(ex.map(print_pdf, [h for _, _, h in certs]))
    log(f"printed {len(pdfs)} PDFs ({time.time() - t0:.0f} s)")
    with ThreadPoolExecutor(max_workers=a.jobs) as ex:
        r150 = list(ex.map(lambda p: rasterise(p, 150), pdfs))
        r300 = list(ex.map(lambda p: rasterise(p, 300), pdfs))
    pages = []
    for i, ((serial, text, _), p150, p300) in enumerate(zip(certs, r150, r300)):
        corners, modules = locate_qr(p300, text)
        pages.append(Page(i, serial, text, p150, p300, corners, modules))
    log(f"rasterised at 150 and 300 dpi ({time.time() - t0:.0f} s); QR codes of "
        f"{sorted({p.modules for p in pages})} modules")

    recipes = make_recipes()
    pics = []
    k = 0
    for p in pages:
        for j in range(a.per_cert):
            rname, fn = recipes[k % len(recipes)]
            k += 1
            r = random.Random(f"{a.seed}-{p.idx}-{j}")
            pic = fn(p, f"c{p.idx:02d}-{j:02d}-{rname}", r)
            pic.params["recipe"] = rname
            pics.append(pic)
    k = 0
    for p in pages:
        for j in range(a.trouble):
            rname, fn = TROUBLE[k % len(TROUBLE)]
            k += 1
            r = random.Random(f"{a.seed}-{p.idx}-t{j}")
            pic = fn(p, f"c{p.idx:02d}-t{j:02d}-{rname}", r)
            pic.params["recipe"] = rname
            pics.append(pic)
    for i in range(a.many):
        r = random.Random(f"{a.seed}-many-{i}")
        pic = many_codes(pages, f"x-many-{i:02d}", r)
        pic.params["recipe"] = "many-codes"
        pics.append(pic)
    for i in range(a.extras):
        r = random.Random(f"{a.seed}-extra-{i}")
        pics.append(two_pages(pages, f"x-two-{i:02d}", r))
        pics.append(no_qr(pages, f"x-noqr-{i:02d}", r, "background" if i % 2 else "page"))
        pics.append(foreign(pages, out / "work", f"x-foreign-{i:02d}", r, i))
    for pic in pics:
        pic.params.setdefault("recipe", pic.name.split("-")[1] if pic.name.startswith("x-") else "")

    # The source of the 720p video of ../scanner-photos.sh: a 2000×1400 photo, the QR code
    # near the middle, about 300 pixels wide.
    r = random.Random(f"{a.seed}-stream")
    src = photo(pages[0], "stream-src", r, [], (2000, 1400), fit=("qr", 300), angle=r.uniform(-5, 5),
                keystone=0.05, bg="wood", cam=0.5)
    render(out, src, out / "work" / "stream-src.png")

    done = [0]

    def one(pic):
        path = render(out, pic)
        done[0] += 1
        if done[0] % 50 == 0:
            log(f"{done[0]}/{len(pics)} pictures ({time.time() - t0:.0f} s)")
        return path

    with ThreadPoolExecutor(max_workers=a.jobs) as ex:
        paths = list(ex.map(one, pics))

    with open(out / "manifest.jsonl", "w") as m:
        for pic, path in zip(pics, paths):
            w, h = Image.open(path).size
            qr_px = min((side(q) for q in pic.qr_quads), default=None)
            mod = pic.modules or 0
            m.write(json.dumps({
                "file": str(path.relative_to(out)),
                "expected": pic.expected,
                "tags": pic.tags,
                "width": w,
                "height": h,
                "qr_px": round(qr_px, 1) if qr_px else None,
                "module_px": round(qr_px / mod, 2) if qr_px and mod else None,
                "params": pic.params,
            }, ensure_ascii=False) + "\n")
    (out / "certificates.jsonl").write_text("".join(
        json.dumps({"serial": p.serial, "qr_text": p.text, "page300": str(p.png300.relative_to(out)),
                    "qr_corners300": p.qr, "modules": p.modules}) + "\n" for p in pages))
    log(f"{len(pics)} pictures in {out / 'photos'}, manifest {out / 'manifest.jsonl'} "
        f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
