#!/usr/bin/env python3
"""The other decoders of the photo-set benchmark, and the report that puts all side by side.

    bench.py run zxing|zbar --mode bytes|pixels [--repeat N] FILE... > results.jsonl
    bench.py zbarimg FILE... > results.jsonl
    bench.py report --set DIR --results DIR

`run` reads every file into memory first, then times one decoder per file in this process
(`bytes`: image file decoding + QR decoding, from the encoded bytes; `pixels`: QR decoding of
grey pixels decoded beforehand) and prints JSON lines like scanner-cli/examples/decode_bench.rs:
{"file", "texts", "us"}, where `us` is the fastest of N runs. Both decoders look for QR codes
only, as sonod-scan does. `zbarimg` runs the zbarimg program over the files (as a check that
pyzbar gives zbar's rate; no timing). `report` prints the tables.
"""

import argparse
import io
import json
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path


def load(names):
    out = []
    for n in names:
        if n == "-":
            out += [(line.strip(), None) for line in sys.stdin if line.strip()]
        else:
            out.append((n, None))
    return [(n, Path(n).read_bytes()) for n, _ in out]


def run(decoder, mode, repeat, names):
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = 48_000_000  # sonod-scan's limit
    if decoder == "zxing":
        import zxingcpp

        fmt = zxingcpp.BarcodeFormat.QRCode

        def decode(img):
            return [b.text for b in zxingcpp.read_barcodes(img, formats=fmt)]
    else:
        from pyzbar import pyzbar

        syms = [pyzbar.ZBarSymbol.QRCODE]

        def decode(img):
            if isinstance(img, tuple):
                res = pyzbar.decode(img, symbols=syms)
            else:
                res = pyzbar.decode(img, symbols=syms)
            return [r.data.decode("utf-8", "replace") for r in res]

    def from_bytes(b):
        img = Image.open(io.BytesIO(b))
        img = img.convert("L")
        if decoder == "zbar":
            return decode((img.tobytes(), img.width, img.height))
        return decode(img)

    files = load(names)
    prepared = []
    for name, b in files:
        if mode == "pixels":
            img = Image.open(io.BytesIO(b)).convert("L")
            if decoder == "zbar":
                prepared.append((name, (img.tobytes(), img.width, img.height)))
            else:
                import numpy as np

                prepared.append((name, np.asarray(img)))
        else:
            prepared.append((name, b))
    fn = decode if mode == "pixels" else from_bytes
    if prepared:
        fn(prepared[0][1])  # warm-up
    for name, x in prepared:
        runs, cpu, texts, err = [], [], [], None
        for _ in range(repeat):
            c = time.thread_time_ns()
            t = time.perf_counter()
            try:
                texts = fn(x)
            except Exception as e:  # noqa: BLE001 - a decoder failure is a result
                err = str(e)
                texts = []
            runs.append(round((time.perf_counter() - t) * 1e6))
            cpu.append((time.thread_time_ns() - c) // 1000)
        uniq = list(dict.fromkeys(texts))
        best = runs.index(min(runs))
        print(json.dumps({"file": name, "texts": uniq, "us": runs[best], "cpu_us": cpu[best],
                          "runs_us": runs, "error": err},
                         ensure_ascii=False), flush=False)


def zbarimg(names):
    """zbarimg over the files, 50 at a time, QR codes only; its XML says which file is which."""
    files = [n for n in names if n != "-"]
    if "-" in names:
        files += [line.strip() for line in sys.stdin if line.strip()]
    for i in range(0, len(files), 50):
        batch = files[i:i + 50]
        r = subprocess.run(["zbarimg", "--xml", "-q", "-Sdisable", "-Sqrcode.enable", *batch],
                           capture_output=True, text=True)
        found = defaultdict(list)
        try:
            root = ET.fromstring(r.stdout)
            for src in root.iter():
                if src.tag.endswith("source"):
                    name = src.get("href")
                    for d in src.iter():
                        if d.tag.endswith("data") and d.text is not None:
                            found[name].append(d.text)
        except ET.ParseError:
            pass
        for n in batch:
            print(json.dumps({"file": n, "texts": list(dict.fromkeys(found.get(n, []))), "us": None},
                             ensure_ascii=False))


# ---------------------------------------------------------------- report


def pct(xs, p):
    """The p-th percentile by nearest rank."""
    if not xs:
        return None
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def fmt_ms(us):
    return "—" if us is None else f"{us / 1000:.1f}"


def read_results(path, setdir):
    res = {}
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        j = json.loads(line)
        f = Path(j["file"])
        try:
            f = f.resolve().relative_to(setdir.resolve())
        except ValueError:
            pass
        res[str(f)] = j
    return res


def ok(entry, expected):
    """Success: every expected text found; for a picture without a QR code, nothing found."""
    if entry is None:
        return False
    got = set(entry.get("texts") or [])
    if not expected:
        return not got
    return set(expected) <= got


# The kinds of trouble of issue #17 (make_set.py's TROUBLE recipes and many_codes), each a tag.
KINDS = ["screen", "screen-phone", "screen-monitor", "closeup-fill", "blur-strong", "defocus",
         "motion-strong", "glare-specular", "many-codes"]


def report(setdir, resdir, out):
    manifest = [json.loads(l) for l in (setdir / "manifest.jsonl").read_text().splitlines() if l.strip()]
    decoders = [
        ("sonod-scan", resdir / "sonod.jsonl"),
        ("zxing-cpp", resdir / "zxing-bytes.jsonl"),
        ("zbar (pyzbar)", resdir / "zbar-bytes.jsonl"),
        ("zbarimg", resdir / "zbarimg.jsonl"),
    ]
    results = {}
    for name, path in decoders:
        r = read_results(path, setdir)
        if r is not None:
            results[name] = r
    pix = {n: read_results(resdir / f, setdir) for n, f in
           (("zxing-cpp", "zxing-pixels.jsonl"), ("zbar (pyzbar)", "zbar-pixels.jsonl"))}
    names = list(results)
    lines = []

    def p(s=""):
        lines.append(s)

    def rate(dec, items):
        r = results[dec]
        n = sum(ok(r.get(m["file"]), m["expected"]) for m in items)
        return n, len(items)

    def cell(n, d):
        return f"{100 * n / d:5.1f}% ({n}/{d})" if d else "—"

    p(f"Photo set: {setdir} — {len(manifest)} pictures")
    p()
    p("Decode rate (expected text found; for no-qr pictures: nothing found)")
    p()
    head = "| tag | n | " + " | ".join(names) + " |"
    p(head)
    p("|" + "---|" * (len(names) + 2))
    tags = defaultdict(list)
    for m in manifest:
        for t in m["tags"]:
            tags[t].append(m)
    rows = [("ALL", manifest)] + sorted(tags.items())
    for t, items in rows:
        p(f"| {t} | {len(items)} | " + " | ".join(cell(*rate(d, items)) for d in names) + " |")
    # By module size: how many pixels one QR module is in the picture.
    p()
    p("Decode rate by module size (pixels a QR module, smallest code in the picture)")
    p()
    p(head.replace("| tag |", "| module px |"))
    p("|" + "---|" * (len(names) + 2))
    buckets = [(0, 1.5), (1.5, 2), (2, 2.5), (2.5, 3), (3, 4), (4, 6), (6, 10), (10, 1e9)]
    for lo, hi in buckets:
        items = [m for m in manifest if m.get("module_px") and lo <= m["module_px"] < hi]
        if items:
            label = f"{lo}–{hi}" if hi < 1e9 else f"≥{lo}"
            p(f"| {label} | {len(items)} | " + " | ".join(cell(*rate(d, items)) for d in names) + " |")

    # The kinds of trouble of issue #17: read rate and CPU time per picture, side by side.
    kinds = [(k, [m for m in manifest if k in m["tags"]]) for k in KINDS]
    kinds = [(k, items) for k, items in kinds if items]
    if kinds:
        p()
        p("Kinds of trouble (issue #17): read rate (every expected code found), and CPU time per "
          "picture (file bytes to texts, one core), median / p99 ms")
        p()
        p("| kind | n | " + " | ".join(names) + " | " +
          " | ".join(f"{d} cpu median / p99" for d in names if d != "zbarimg") + " |")
        p("|" + "---|" * (2 + len(names) + len([d for d in names if d != "zbarimg"])))
        for k, items in kinds:
            times = []
            for d in names:
                if d == "zbarimg":
                    continue
                cpu = [e.get("cpu_us") or e["us"] for m in items
                       if (e := results[d].get(m["file"])) and e.get("us") is not None]
                times.append(f"{fmt_ms(statistics.median(cpu))} / {fmt_ms(pct(cpu, 99))}" if cpu else "—")
            p(f"| {k} | {len(items)} | " + " | ".join(cell(*rate(d, items)) for d in names) + " | " +
              " | ".join(times) + " |")
        many = [m for m in manifest if "many-codes" in m["tags"]]
        if many:
            p()
            p("Many codes in one picture: codes read (of the codes in the pictures), and per picture")
            p()
            p("| decoder | codes read | per picture (mean) | pictures with every code | fewest in a picture |")
            p("|---|---|---|---|---|")
            total = sum(len(m["expected"]) for m in many)
            for d in names:
                got = [len(set(m["expected"]) & set((results[d].get(m["file"]) or {}).get("texts") or []))
                       for m in many]
                every = sum(g == len(m["expected"]) for g, m in zip(got, many))
                worst = min(zip(got, many), key=lambda x: x[0] / len(x[1]["expected"]))
                p(f"| {d} | {cell(sum(got), total)} | {sum(got) / len(many):.2f} of "
                  f"{total / len(many):.2f} | {every}/{len(many)} | {worst[0]} of {len(worst[1]['expected'])} |")

    # Wrong texts: texts found that were not expected (false positives, misreads).
    p()
    p("Unexpected texts found (misreads or false QR codes): " + ", ".join(
        f"{d} {sum(len(set(e.get('texts') or []) - set(m['expected'])) for m in manifest if (e := results[d].get(m['file'])))}"
        for d in names))

    p()
    p("Time per picture on one core, ms: image file decoding + QR decoding from the encoded "
      "bytes in memory. wall = elapsed time of the fastest run; cpu = the CPU time of that run "
      "(the same on an idle machine; on a shared one it leaves out waiting for the core)")
    p()
    p("| decoder | set | n | median wall | p99 wall | max wall | median cpu | p99 cpu | max cpu | slowest file |")
    p("|---|---|---|---|---|---|---|---|---|---|")
    mp2 = [m for m in manifest if 1.5e6 <= m["width"] * m["height"] <= 2.5e6]
    sets = [("all", manifest), ("2-MP (1.5–2.5 MP)", mp2),
            ("2-MP photos 1600×1200", [m for m in manifest if sorted((m["width"], m["height"])) == [1200, 1600]])]
    for d in names:
        if d == "zbarimg":
            continue
        r = results[d]
        for sname, items in sets:
            rows = [r[m["file"]] for m in items if m["file"] in r and r[m["file"]].get("us") is not None]
            if not rows:
                continue
            us = [x["us"] for x in rows]
            cpu = [x.get("cpu_us") or x["us"] for x in rows]
            worst = max(rows, key=lambda x: x.get("cpu_us") or x["us"])
            wf = str(Path(worst["file"]).name)
            p(f"| {d} | {sname} | {len(us)} | {fmt_ms(statistics.median(us))} | {fmt_ms(pct(us, 99))} | "
              f"{fmt_ms(max(us))} | {fmt_ms(statistics.median(cpu))} | {fmt_ms(pct(cpu, 99))} | "
              f"{fmt_ms(max(cpu))} | {wf} |")
    # Pixels only.
    p()
    p("Pixels only (QR decoding of grey pixels already in memory), ms; for sonod-scan the wall "
      "total minus its own image decoding + grey conversion (load_us, timed separately), cpu the "
      "search's own CPU time (cpu_us - load_cpu_us)")
    p()
    p("| decoder | set | median wall | p99 wall | max wall | median cpu | p99 cpu | max cpu |")
    p("|---|---|---|---|---|---|---|---|")
    for d, r in list(pix.items()) + [("sonod-scan", results.get("sonod-scan"))]:
        if not r:
            continue
        for sname, items in sets[:2]:
            rows = [r[m["file"]] for m in items if m["file"] in r]
            if not rows:
                continue
            if d == "sonod-scan":
                us = [max(0, x["us"] - x.get("load_us", 0)) for x in rows]
                cpu = [x["cpu_us"] - x["load_cpu_us"] for x in rows if x.get("load_cpu_us") is not None]
            else:
                us = [x["us"] for x in rows]
                cpu = [x["cpu_us"] for x in rows if x.get("cpu_us") is not None]
            c = (f"{fmt_ms(statistics.median(cpu))} | {fmt_ms(pct(cpu, 99))} | {fmt_ms(max(cpu))}"
                 if cpu else "— | — | —")
            p(f"| {d} | {sname} | {fmt_ms(statistics.median(us))} | {fmt_ms(pct(us, 99))} | {fmt_ms(max(us))} | {c} |")

    # The pictures sonod-scan fails and zxing-cpp reads, for tuning.
    if "sonod-scan" in results:
        fails = [m for m in manifest if not ok(results["sonod-scan"].get(m["file"]), m["expected"])]
        (resdir / "sonod-failures.jsonl").write_text("".join(
            json.dumps({**m, "zxing_ok": ok(results.get("zxing-cpp", {}).get(m["file"]), m["expected"]),
                        "sonod_texts": results["sonod-scan"].get(m["file"], {}).get("texts")},
                       ensure_ascii=False) + "\n" for m in fails))
        if "zxing-cpp" in results:
            only_z = [m["file"] for m in fails if ok(results["zxing-cpp"].get(m["file"]), m["expected"])]
            p()
            p(f"sonod-scan fails {len(fails)} pictures, {len(only_z)} of which zxing-cpp reads; "
              f"the list: {resdir / 'sonod-failures.jsonl'}")
    text = "\n".join(lines) + "\n"
    out.write(text)
    (resdir / "summary.md").write_text(text)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("decoder", choices=["zxing", "zbar"])
    r.add_argument("--mode", choices=["bytes", "pixels"], default="bytes")
    r.add_argument("--repeat", type=int, default=1)
    r.add_argument("files", nargs="+")
    z = sub.add_parser("zbarimg")
    z.add_argument("files", nargs="+")
    rep = sub.add_parser("report")
    rep.add_argument("--set", required=True, type=Path)
    rep.add_argument("--results", required=True, type=Path)
    a = ap.parse_args()
    if a.cmd == "run":
        run(a.decoder, a.mode, max(1, a.repeat), a.files)
    elif a.cmd == "zbarimg":
        zbarimg(a.files)
    else:
        report(a.set, a.results, sys.stdout)


if __name__ == "__main__":
    main()
