#!/usr/bin/env bash
# The decode-rate and speed benchmark of sonod-scan (issue #5): on the photo set of
# scanner-photos/make-set.sh, the share of pictures decoded by sonod-scan, zbar and zxing-cpp
# side by side (overall, per distortion, per module size, per kind of trouble of issue #17:
# screens, close-ups, strong blur, specular glare, many codes, with codes read per picture),
# the time per picture on one core (median, p99, max; all, the 2-megapixel ones and each
# kind), and frames per second on a 720p video.
#
#   bash bench/scanner-photos.sh             # full set (574 pictures): set ~40 min, bench ~15 min (2 shared cores)
#   SMALL=1 bash bench/scanner-photos.sh     # a quick set (92 pictures), about 8 minutes
#
# Environment: SET=DIR (the set; built when it has no manifest.jsonl, or with REBUILD=1),
# SEED=N (another set of pictures, for measuring on pictures not tuned on),
# REPEAT=N (timed runs a picture, the fastest counts; default 1), VIDEO_SECONDS (default 10),
# FRAME_STEP=k (decode every k-th video frame only; default 1), FPS_ONLY=1 (only the video part,
# on the results of an earlier run).
# Results: $SET/results/ (per-decoder JSON lines, summary.md, sonod-failures.jsonl, fps.txt).
# Installs what it lacks: Debian imagemagick zbar-tools libzbar0 ffmpeg poppler-utils chromium
# fonts-noto-core; PyPI packages of scanner-photos/requirements.txt into target/bench-venv.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR
# shellcheck source=scanner-photos/tools.sh
source "$here/scanner-photos/tools.sh"
cd "$repo"
small=${SMALL:-0}
if [ "$small" = 1 ]; then
    set_dir=${SET:-$here/scanner-photos/set-small}
    video_seconds=${VIDEO_SECONDS:-5}
else
    set_dir=${SET:-$here/scanner-photos/set}
    video_seconds=${VIDEO_SECONDS:-10}
fi
repeat=${REPEAT:-1}
frame_step=${FRAME_STEP:-1}
# The second chain of runs goes to core 1 (0 on a one-core machine).
second_core=$(($(nproc) > 1 ? 1 : 0))
started=$EPOCHREALTIME

cargo build --release --quiet -p sonod-scan -p sonod-keys -p sonod-issuer
cargo build --release --quiet -p sonod-scan --example decode_bench
decode_bench=$BIN/examples/decode_bench

if ! [ -s "$set_dir/manifest.jsonl" ] || [ "${REBUILD:-0}" = 1 ]; then
    SMALL=$small bash "$here/scanner-photos/make-set.sh" "$set_dir"
fi
res=$set_dir/results
mkdir -p "$res"
list=$res/files.txt
"$PY" -c 'import json,sys; [print(sys.argv[1] + "/" + json.loads(l)["file"]) for l in open(sys.argv[1] + "/manifest.jsonl") if l.strip()]' \
    "$set_dir" >"$list"
n=$(wc -l <"$list")
echo "== $n pictures in $set_dir; one core a decoder run, fastest of $repeat runs a picture ==" >&2

elapsed() { "$PY" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$EPOCHREALTIME"; }

if [ "${FPS_ONLY:-0}" != 1 ]; then
# Two chains of single-threaded runs, one pinned to each core: half of the pictures through
# sonod-scan, then zbar (pyzbar) on core 0; the other half through sonod-scan, then zxing-cpp
# and zbarimg on core 1. Every time is per picture and measured by the decoding thread itself.
awk 'NR % 2 == 1' "$list" >"$res/files-a.txt"
awk 'NR % 2 == 0' "$list" >"$res/files-b.txt"
t=$EPOCHREALTIME
pyrun() { # pyrun CORE DECODER MODE
    taskset -c "$1" "$PY" "$here/scanner-photos/bench.py" run "$2" --mode "$3" --repeat "$repeat" - \
        <"$list" >"$res/$2-$3.jsonl"
}
(
    taskset -c 0 "$decode_bench" --repeat "$repeat" - <"$res/files-a.txt" >"$res/sonod-a.jsonl"
    pyrun 0 zbar bytes
    pyrun 0 zbar pixels
) &
chain_a=$!
(
    taskset -c "$second_core" "$decode_bench" --repeat "$repeat" - <"$res/files-b.txt" >"$res/sonod-b.jsonl"
    pyrun "$second_core" zxing bytes
    pyrun "$second_core" zxing pixels
    "$PY" "$here/scanner-photos/bench.py" zbarimg - <"$list" >"$res/zbarimg.jsonl"
) &
chain_b=$!
wait "$chain_a" "$chain_b"
cat "$res/sonod-a.jsonl" "$res/sonod-b.jsonl" >"$res/sonod.jsonl"
echo "decoders: $(elapsed "$t") s" >&2

# The verdicts: every 8th Sonod picture sonod-scan decoded must verify with the development
# trust list and root: a genuine signature, which with a trust list only reads `unconfirmed`
# (issuance and revocation are not checked without a snapshot).
"$PY" - "$set_dir" "$res" >"$res/verdict-sample.txt" <<'PYEOF'
import json, sys
set_dir, res = sys.argv[1], sys.argv[2]
man = {json.loads(l)["file"]: json.loads(l) for l in open(f"{set_dir}/manifest.jsonl") if l.strip()}
picked = []
for line in open(f"{res}/sonod.jsonl"):
    j = json.loads(line)
    rel = j["file"][len(set_dir) + 1:]
    m = man.get(rel)
    if m and m["expected"] and "foreign-qr" not in m["tags"] and set(m["expected"]) <= set(j["texts"]):
        picked.append(j["file"])
print("\n".join(picked[::8]))
PYEOF
verdicts=$res/verdicts.jsonl
if [ -s "$res/verdict-sample.txt" ]; then
    mapfile -t sample <"$res/verdict-sample.txt"
    "$BIN/sonod-scan" --json --trust "$set_dir/keys/trust.json" --root "$set_dir/keys/root.pub.pem" \
        "${sample[@]}" >"$verdicts" || true
    valid=$("$PY" -c 'import json,sys; print(sum(json.loads(l).get("verdict") in ("valid", "unconfirmed") for l in open(sys.argv[1])))' "$verdicts")
    lines=$(wc -l <"$verdicts")
    verdict_line="verdicts (sonod-scan --json on ${#sample[@]} decoded pictures): $valid of $lines codes with a genuine signature"
else
    verdict_line="verdicts: no decoded picture to check"
fi

"$PY" "$here/scanner-photos/bench.py" report --set "$set_dir" --results "$res"
echo
echo "$verdict_line" | tee -a "$res/summary.md"

fi

# ---------------------------------------------------------------- 720p stream
fps=$res/fps.txt
: >"$fps"
say() { echo "$*" | tee -a "$fps"; }
video=$res/video-720p.mp4
src=$set_dir/work/stream-src.png
echo >&2
echo "== 720p video: $video_seconds s at 30 frames/s, a certificate moving and turning in frame ==" >&2
# A 2000×1400 photo of a certificate, its QR code near the middle; a 1280×720 window moves over
# it while it turns, with sensor noise; x264 as a phone would record.
ffmpeg -loglevel error -y -loop 1 -framerate 30 -i "$src" -t "$video_seconds" -vf \
    "rotate='0.25*sin(2*PI*t/6)':fillcolor=0x706050,crop=1280:720:'(iw-1280)/2+280*sin(2*PI*t/5)':'(ih-720)/2+140*sin(2*PI*t/7)',noise=alls=6:allf=t" \
    -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p "$video"
rm -rf "$res/frames"
mkdir -p "$res/frames"
ffmpeg -loglevel error -i "$video" -q:v 3 "$res/frames/%05d.jpg"
all_frames=$(find "$res/frames" -name '*.jpg' | wc -l)
# FRAME_STEP=k decodes every k-th frame only (frames per second stay frames / time).
find "$res/frames" -name '*.jpg' | sort | awk -v k="$frame_step" '(NR - 1) % k == 0' >"$res/frames.txt"
got_frames=$(wc -l <"$res/frames.txt")

# The decoder alone on the frames (JPEG bytes in memory): two processes, one a core, half of
# the frames each; wall time for the two-core rate, each frame's time for the one-core rate.
awk 'NR % 2 == 1' "$res/frames.txt" >"$res/frames-a.txt"
awk 'NR % 2 == 0' "$res/frames.txt" >"$res/frames-b.txt"
t=$EPOCHREALTIME
taskset -c 0 "$decode_bench" - <"$res/frames-a.txt" >"$res/frames-sonod-a.jsonl" &
pa=$!
taskset -c "$second_core" "$decode_bench" - <"$res/frames-b.txt" >"$res/frames-sonod-b.jsonl" &
pb=$!
wait "$pa" "$pb"
two_core=$(elapsed "$t")
cat "$res/frames-sonod-a.jsonl" "$res/frames-sonod-b.jsonl" >"$res/frames-sonod.jsonl"
taskset -c 0 "$PY" "$here/scanner-photos/bench.py" run zxing - <"$res/frames.txt" >"$res/frames-zxing.jsonl" &
pa=$!
taskset -c "$second_core" "$PY" "$here/scanner-photos/bench.py" run zbar - <"$res/frames.txt" >"$res/frames-zbar.jsonl"
wait "$pa"
"$PY" - "$res" "$got_frames" "$two_core" "$all_frames" <<'PYEOF' | tee -a "$fps"
import json, statistics, sys
res, n, two, total = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f"{n} of {total} frames of 1280×720 (JPEG q3 from the x264 video, decoded from memory); "
      "one-core rate = frames / summed CPU time a frame")
for name, f in (("sonod-scan", "frames-sonod"), ("zxing-cpp", "frames-zxing"), ("zbar (pyzbar)", "frames-zbar")):
    rows = [json.loads(l) for l in open(f"{res}/{f}.jsonl")]
    cpu = [r.get("cpu_us") or r["us"] for r in rows]
    found = sum(bool(r["texts"]) for r in rows)
    print(f"  {name:14} one core: median {statistics.median(cpu) / 1000:.1f} ms, max {max(cpu) / 1000:.1f} ms, "
          f"{1e6 * len(cpu) / sum(cpu):.1f} frames/s; a code found in {found}/{len(cpu)} frames")
print(f"  sonod-scan     two cores (two processes, wall time on this machine): {n / two:.1f} frames/s")
PYEOF

# The pipeline itself, once sonod-scan reads a stream of images from standard input. Probe:
# two different certificates' JPEGs, one after the other; stream mode prints both texts.
"$PY" - "$set_dir" >"$res/stream-probe.txt" <<'PYEOF'
import json, sys
d = sys.argv[1]
seen = {}
for line in open(f"{d}/results/sonod.jsonl"):
    j = json.loads(line)
    if j["file"].endswith(".jpg") and len(j["texts"]) == 1 and j["texts"][0] not in seen:
        seen[j["texts"][0]] = j["file"]
    if len(seen) == 2:
        break
for t, f in seen.items():
    print(f)
    print(t)
PYEOF
mapfile -t probe <"$res/stream-probe.txt"
stream=0
if [ ${#probe[@]} -eq 4 ]; then
    out=$(cat "${probe[0]}" "${probe[2]}" | "$BIN/sonod-scan" --raw - 2>/dev/null || true)
    if grep -qF -- "${probe[1]}" <<<"$out" && grep -qF -- "${probe[3]}" <<<"$out"; then
        stream=1
    fi
fi
if [ "$stream" = 1 ]; then
    for codec in mjpeg png; do
        t=$EPOCHREALTIME
        taskset -c 0,1 ffmpeg -loglevel error -i "$video" -f image2pipe -vcodec "$codec" - |
            taskset -c 0,1 "$BIN/sonod-scan" --json --trust "$set_dir/keys/trust.json" \
                --root "$set_dir/keys/root.pub.pem" - >"$res/stream-$codec.jsonl" || true
        wall=$(elapsed "$t")
        lines=$(wc -l <"$res/stream-$codec.jsonl")
        say "  pipeline ffmpeg -vcodec $codec | sonod-scan --json - on cores 0,1: $all_frames frames in $wall s = $("$PY" -c "print(f'{$all_frames / $wall:.1f}')") frames/s ($lines JSON lines)"
    done
else
    say "  pipeline ffmpeg | sonod-scan -: stream mode not available (sonod-scan - reads one image from standard input); not timed"
fi
t=$EPOCHREALTIME
ffmpeg -loglevel error -i "$video" -f image2pipe -vcodec mjpeg - | wc -c >/dev/null
say "  ffmpeg alone (decode + MJPEG encode of $all_frames frames): $(elapsed "$t") s"
cat "$fps" >>"$res/summary.md"
echo
echo "total $(elapsed "$started") s; results in $res (summary.md)"
