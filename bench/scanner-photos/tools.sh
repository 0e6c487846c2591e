# Sourced by make-set.sh and ../scanner-photos.sh: the programs and the Python venv the photo
# benchmark needs, installed when missing (Debian packages, PyPI packages pinned in
# requirements.txt). Sets PY (the venv's python) and BIN (target/release).
# shellcheck shell=bash

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_dir/../.." && pwd)
BIN=$repo/target/release
VENV=${SONOD_BENCH_VENV:-$repo/target/bench-venv}

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
[ -x /usr/bin/convert ] || need_apt+=(imagemagick)
have zbarimg || need_apt+=(zbar-tools)
ldconfig -p | grep -q 'libzbar\.so' || need_apt+=(libzbar0)
have ffmpeg || need_apt+=(ffmpeg)
have pdftoppm || need_apt+=(poppler-utils)
have chromium || have chromium-browser || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi 'Noto Sans Bengali' || need_apt+=(fonts-noto-core)
have taskset || need_apt+=(util-linux)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing: ${need_apt[*]}" >&2
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}" >&2
    else
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}" >&2
    fi
fi

if ! [ -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/pip" freeze 2>/dev/null | sort | diff -q - <(grep -v '^#' "$bench_dir/requirements.txt" | sort) >/dev/null; then
    "$VENV/bin/pip" install -q -r "$bench_dir/requirements.txt" >&2
fi
PY=$VENV/bin/python
export PY BIN
