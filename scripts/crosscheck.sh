#!/usr/bin/env bash
# Builds postmint, vets the module and compiles and links every package's tests for a platform
# this machine cannot run (default windows/amd64; PLATFORMS="windows/amd64 windows/arm64" for
# more): a Unix-only call anywhere, in a test too, fails here instead of on a user's laptop.
# Running the tests there is the job of .github/workflows/windows.yml.
#
#   bash scripts/crosscheck.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for p in ${PLATFORMS:-windows/amd64}; do
  export GOOS=${p%/*} GOARCH=${p#*/}
  go build ./...
  go vet ./...
  # -exec true: link each test binary (in parallel, as go test -c cannot for many packages)
  # and hand it to `true` instead of running it. Its "ok" lines mean "built", so they are hidden.
  go test -exec true -count=1 ./... >/dev/null
  echo "crosscheck: $p builds, vets and links its tests" >&2
done
