#!/usr/bin/env bash
# Builds FerretDB (MongoDB wire protocol on top of SQLite or PostgreSQL) from the
# Go module proxy into a cache directory outside the repository, and prints the
# path of the binary as the last line of stdout.
#
# Idempotent: an existing binary is reused. Safe to run concurrently (flock).
#
# Notes:
#   * build/version/version.txt is git-ignored upstream and therefore missing
#     from the module zip; without it the binary panics at start, so the module
#     is copied to a scratch dir and the file is written before building.
#   * No build tags: the sqlite and postgresql handlers are both compiled in by
#     default (they are opted out with ferretdb_no_sqlite/ferretdb_no_postgresql).
#     ferretdb_debug is deliberately not set (it makes debug logging the default
#     and turns some internal errors into crashes).
#   * CGO_ENABLED=0 like upstream production builds: SQLite is modernc.org/sqlite
#     (pure Go), so no C toolchain is needed.
#
# Example start (SQLite, one file per database under the given directory):
#   ferretdb-v1.24.2 --handler=sqlite --sqlite-url=file:/path/to/dir/ \
#     --listen-addr=127.0.0.1:27017 --state-dir=/path/to/state \
#     --telemetry=disable --debug-addr=- --log-level=warn
# The --sqlite-url directory must already exist and end with "/".
#
# Upstream v1.24.2 defects seen with this build (both handlers unless noted):
#   * one update command (e.g. bulkWrite) with >= 100 (sqlite) / >= 50
#     (postgresql) updateOne ops that match existing documents hangs forever
#     and wedges that database's (sqlite) or the whole server's (postgresql)
#     connection pool: keep such batches small (e.g. <= 40 ops).
#   * $group with several accumulators: only the first is computed, the
#     others come back as 0.
#   * sqlite: lookups by _id do not use the _id index (full scan per op).
set -euo pipefail

FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_VERSION=v1.24.2

cache_dir="${AUDEX_CACHE_DIR:-$HOME/.cache/audex}"
bin_dir="$cache_dir/bin"
# The three fixes in ferretdb-v1.24.2-fixes.patch (see below) are part of the build, so the binary is named
# after them: a stock build cached earlier is never mistaken for this one.
PATCH_LEVEL=audex.1
patch_file="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/ferretdb-$FERRETDB_VERSION-fixes.patch"
bin="$bin_dir/ferretdb-$FERRETDB_VERSION-$PATCH_LEVEL"

if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

if command -v go >/dev/null 2>&1; then
  GO="$(command -v go)"
elif [[ -x /usr/local/go/bin/go ]]; then
  GO=/usr/local/go/bin/go
else
  echo "build-ferretdb: go toolchain not found (looked on PATH and /usr/local/go/bin)" >&2
  exit 1
fi

mkdir -p "$bin_dir"
exec 9>"$bin_dir/.ferretdb-$FERRETDB_VERSION.lock"
flock 9

# Another invocation may have finished the build while we waited for the lock.
if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ferretdb-build.XXXXXX")"
tmp_bin="$bin_dir/.ferretdb-$FERRETDB_VERSION.tmp.$$"
log="$work/build.log"
cleanup() {
  rm -f "$tmp_bin"
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "build-ferretdb: $1" >&2
  if [[ -s "$log" ]]; then
    cat "$log" >&2
  fi
  exit 1
}

# Run outside any module/workspace so the surrounding project cannot interfere.
export GOWORK=off
cd "$work"

if ! dl_json="$("$GO" mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" 2>"$log")"; then
  printf '%s\n' "$dl_json" >>"$log"
  fail "go mod download failed"
fi
mod_dir="$(printf '%s\n' "$dl_json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n 1)"
if [[ -z "$mod_dir" || ! -d "$mod_dir" ]]; then
  printf '%s\n' "$dl_json" >>"$log"
  fail "could not determine module directory"
fi

cp -R "$mod_dir" "$work/src"
chmod -R u+w "$work/src"
printf '%s\n' "$FERRETDB_VERSION" >"$work/src/build/version/version.txt"

# Three upstream defects of v1.24.2 that the embedded default and the tests would hit:
#  - SQLite queries by _id never use the _id index (path '$._id' vs the indexed '_id'): every lookup scans;
#  - $group with several accumulators: all but the first share a consumed iterator and return 0;
#  - an update command with ~100 matching ops keeps one pool connection per op until it ends, and hangs.
patch -d "$work/src" -p1 --forward --quiet <"$patch_file" >>"$log" 2>&1 || fail "applying $patch_file failed"

(
  cd "$work/src"
  CGO_ENABLED=0 "$GO" build -trimpath -o "$tmp_bin" ./cmd/ferretdb
) >>"$log" 2>&1 || fail "go build failed"

# Smoke test before publishing: a missing version.txt would panic right here.
"$tmp_bin" --version >>"$log" 2>&1 || fail "built binary does not start"

chmod 0755 "$tmp_bin"
mv -f "$tmp_bin" "$bin"
echo "$bin"
