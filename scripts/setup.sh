#!/usr/bin/env bash
# Installs what the tests need beyond Rust: headless Chromium, poppler and Bangla fonts (print
# and page tests), openssl (key-file tests), curl (smoke test) from Debian, and pycose (the
# interoperability test) from PyPI. Does nothing for what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pair in chromium:chromium pdftoppm:poppler-utils openssl:openssl curl:curl fc-list:fontconfig; do
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
fc-list 2>/dev/null | grep -qi 'Noto Sans Bengali' || need+=(fonts-noto-core)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
python3 -m pip install -q -r tests/interop/requirements.txt
