#!/usr/bin/env bash
# Builds Ory Hydra v2.3.0 from the Go module proxy for postmint's Hydra tests and prints the
# binary's path. The binary is cached (by default in ~/.cache/postmint/hydra-v2.3.0), so only
# the first run pays for the build: about 7-10 minutes on 2 cores, cold.
#
#   export POSTMINT_HYDRA="$(bash testdata/hydra/build.sh)"
#
# Hydra v2.3.0's go.mod replaces github.com/ory/hydra-client-go/v2 with a folder of its own
# repository, which the module proxy does not carry: the replace is dropped and the published
# client v2.2.1 is required instead. Nothing of Hydra is kept in this repository.
set -euo pipefail
version=v2.3.0
dir="${POSTMINT_HYDRA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/postmint/hydra-$version}"
bin="$dir/hydra"
if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
export GOFLAGS=-mod=mod GOWORK=off
mkdir -p "$dir"
src=$(go mod download -json "github.com/ory/hydra/v2@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$src" ] || { echo "build.sh: go mod download gave no source folder for hydra $version" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
(
  cd "$work"
  go mod edit -dropreplace github.com/ory/hydra-client-go/v2
  go get github.com/ory/hydra-client-go/v2@v2.2.1 >&2
  CGO_ENABLED=1 go build -tags sqlite,sqlite_omit_load_extension -o "$bin.tmp" . >&2
)
mv "$bin.tmp" "$bin"
echo "$bin"
