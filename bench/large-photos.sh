#!/usr/bin/env bash
# Phone photos of a certificate's QR code, 12 MP (4032×3024) and 50 MP (8160×6120), read as
# sonod-scan reads them (48 MP limit: 12 MP whole, 50 MP at half scale from the JPEG's DCT) and
# as the verifier's /scan reads them (4000 pixels a side, 12 MP: 12 MP at half scale, 50 MP at a
# quarter), issue #17: how many are read, the median and p99 CPU per picture (one core: the
# JPEG decoding and the search), of it the decoding alone, and the peak resident memory of a
# process reading one picture (`/usr/bin/time -v`).
#
#   bash bench/large-photos.sh          # 12 photos a size
#
# Environment: N (photos a size; default 12), DIR (where they are made; default
# target/large-photos, kept between runs: delete it, or REBUILD=1, to make them anew).
# Installs what it lacks: Debian imagemagick and time.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
n=${N:-12}
dir=${DIR:-$repo/target/large-photos}
if ! command -v convert >/dev/null || ! [ -x /usr/bin/time ]; then
    apt-get update -qq && apt-get install -y -qq imagemagick time >/dev/null
fi
cargo build --release -p sonod-qr --example photos
bin=${CARGO_TARGET_DIR:-$repo/target}/release/examples/photos

# The photos: paper with a little sensor noise, the code at a different size, place and slant
# in each, 4:2:0 colour at quality 90 as phones write them. Deterministic (seeded).
text="HTTPS://VERIFY.SONOD.GOV.BD/V/NBSWY3DPEB3W64TMMQQHE33VN5UGSZLUMVZXIIDBNZSCA4TVNZXGS3THEBXW4IDUNBSSAY3POVZHIIDPMYQGC4DQMVQWY4ZAMZXXEIDUNBSSA5LTMVZQ"
mkdir -p "$dir"
if [ "${REBUILD:-0}" = 1 ] || ! [ -s "$dir/done" ]; then
    rm -f "$dir"/*.jpg "$dir/done"
    "$bin" --qr "$text" "$dir/code.png"
    for size in 4032x3024 8160x6120; do
        w=${size%x*}
        h=${size#*x}
        convert -size "$size" xc:'#ebe4d6' -seed 17 -attenuate 0.25 +noise Gaussian "$dir/paper-$size.png"
        for i in $(seq 1 "$n"); do
            # 12 MP: modules 5 to 10 pixels; 50 MP: 10 to 20 (the same framing, twice the pixels).
            scale=$(( (w / 4032) * (50 + (i * 37) % 51) ))
            angle=$(( (i * 13) % 31 - 15 ))
            x=$(( (i * 7919) % (w / 2) + w / 10 ))
            y=$(( (i * 6271) % (h / 2) + h / 10 ))
            # (The code is softened on its own: blurring the whole 50 MP picture needs a second
            # copy of it, past ImageMagick's default resource policy.)
            convert "$dir/paper-$size.png" \
                \( "$dir/code.png" -resize "${scale}%" -background '#ebe4d6' -rotate "$angle" \
                -blur 0x0.8 \) -geometry "+$x+$y" -composite \
                -sampling-factor 2x2 -quality 90 "$dir/photo-$size-$i.jpg"
        done
        rm -f "$dir/paper-$size.png"
    done
    touch "$dir/done"
fi

res=$dir/results
mkdir -p "$res"
for size in 4032x3024 8160x6120; do
    for limits in scan upload; do
        flag=$([ "$limits" = upload ] && echo --upload || true)
        # One core, one picture after another.
        # shellcheck disable=SC2086
        taskset -c 0 "$bin" $flag "$dir"/photo-"$size"-*.jpg >"$res/$size-$limits.jsonl"
        # The peak of a process reading one picture (the first of the size).
        # shellcheck disable=SC2086
        /usr/bin/time -v "$bin" $flag "$dir/photo-$size-1.jpg" 2>"$res/$size-$limits.time" >/dev/null
    done
done

python3 - "$res" "$dir" <<'PY'
import json, os, sys, statistics
res, photos = sys.argv[1], sys.argv[2]
def pct(xs, p):
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, round(p / 100 * len(xs) + 0.5) - 1))
    return xs[k]
print("| photo | read as (limits) | decoded | read | CPU ms median / p99 | of it decoding, median | peak RSS |")
print("|---|---|---|---|---|---|---|")
for size, mp in (("4032x3024", "12 MP"), ("8160x6120", "50 MP")):
    files = [f for f in os.listdir(photos) if f.startswith(f"photo-{size}-")]
    mb = statistics.median(os.path.getsize(os.path.join(photos, f)) for f in files) / 2**20
    for limits, name in (("scan", "sonod-scan"), ("upload", "verifier /scan")):
        lines = [json.loads(l) for l in open(f"{res}/{size}-{limits}.jsonl") if l.strip()]
        cpu = [l["cpu_ms"] for l in lines]
        load = [l["load_cpu_ms"] for l in lines]
        read = sum(1 for l in lines if l["texts"])
        dec = {f'{l["width"]}×{l["height"]}' for l in lines}
        peak = next((int(l.split(":")[1]) for l in open(f"{res}/{size}-{limits}.time")
                     if "Maximum resident set size" in l), 0) / 1024
        print(f"| {mp} {size.replace('x', '×')} ({mb:.1f} MB JPEG) | {name} | {', '.join(sorted(dec))} "
              f"| {read}/{len(lines)} | {statistics.median(cpu):.0f} / {pct(cpu, 99):.0f} "
              f"| {statistics.median(load):.0f} | {peak:.0f} MiB |")
PY
