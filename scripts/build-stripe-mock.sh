#!/usr/bin/env bash
# Builds stripe-mock (a mock of the Stripe HTTP API driven by Stripe's OpenAPI
# spec) from the Go module proxy into a cache directory outside the repository,
# and prints the path of the binary as the last line of stdout.
#
# Idempotent: an existing binary is reused. Safe to run concurrently (flock).
#
# The module zip carries the embedded OpenAPI spec and fixtures, but its vendor/
# directory holds only modules.txt (module zips drop vendored code), so the
# build ignores vendor/ and fetches the pinned dependencies via the module proxy
# (-mod=readonly: exactly what go.mod/go.sum say).
#
# HTTPS (default port 12112, all interfaces) stays on unless -http-port, -http,
# -http-unix, -port or an explicit -https-* option is given; -http-addr alone
# does not turn it off, hence the -https-unix below.
#
# Example start (plain HTTP on loopback only, HTTPS off):
#   stripe-mock-v0.203.0 -http-addr 127.0.0.1:12111 -https-unix /path/to/https.sock
# or (HTTP on all interfaces, HTTPS off):
#   stripe-mock-v0.203.0 -http-port 12111
set -euo pipefail

STRIPE_MOCK_MODULE=github.com/stripe/stripe-mock
STRIPE_MOCK_VERSION=v0.203.0

cache_dir="${AUDEX_CACHE_DIR:-$HOME/.cache/audex}"
bin_dir="$cache_dir/bin"
bin="$bin_dir/stripe-mock-$STRIPE_MOCK_VERSION"

if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

if command -v go >/dev/null 2>&1; then
  GO="$(command -v go)"
elif [[ -x /usr/local/go/bin/go ]]; then
  GO=/usr/local/go/bin/go
else
  echo "build-stripe-mock: go toolchain not found (looked on PATH and /usr/local/go/bin)" >&2
  exit 1
fi

mkdir -p "$bin_dir"
exec 9>"$bin_dir/.stripe-mock-$STRIPE_MOCK_VERSION.lock"
flock 9

# Another invocation may have finished the build while we waited for the lock.
if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/stripe-mock-build.XXXXXX")"
tmp_bin="$bin_dir/.stripe-mock-$STRIPE_MOCK_VERSION.tmp.$$"
log="$work/build.log"
cleanup() {
  rm -f "$tmp_bin"
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "build-stripe-mock: $1" >&2
  if [[ -s "$log" ]]; then
    cat "$log" >&2
  fi
  exit 1
}

# Run outside any module/workspace so the surrounding project cannot interfere.
export GOWORK=off
cd "$work"

if ! dl_json="$("$GO" mod download -json "$STRIPE_MOCK_MODULE@$STRIPE_MOCK_VERSION" 2>"$log")"; then
  printf '%s\n' "$dl_json" >>"$log"
  fail "go mod download failed (is $STRIPE_MOCK_VERSION served by the module proxy?)"
fi
mod_dir="$(printf '%s\n' "$dl_json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n 1)"
if [[ -z "$mod_dir" || ! -d "$mod_dir" ]]; then
  printf '%s\n' "$dl_json" >>"$log"
  fail "could not determine module directory"
fi

cp -R "$mod_dir" "$work/src"
chmod -R u+w "$work/src"

(
  cd "$work/src"
  CGO_ENABLED=0 "$GO" build -mod=readonly -trimpath \
    -ldflags "-X main.version=$STRIPE_MOCK_VERSION" -o "$tmp_bin" .
) >>"$log" 2>&1 || fail "go build failed"

"$tmp_bin" -version >>"$log" 2>&1 || fail "built binary does not start"

chmod 0755 "$tmp_bin"
mv -f "$tmp_bin" "$bin"
echo "$bin"
