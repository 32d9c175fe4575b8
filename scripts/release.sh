#!/usr/bin/env bash
# Builds release archives of postmint for users without Go, with nothing but Go (no make, no
# GoReleaser): one archive per platform and a SHA-256 checksum file.
#
#   bash scripts/release.sh VERSION [OUT]        # e.g. bash scripts/release.sh 0.1.0
#
# OUT (default dist/) receives postmint_VERSION_OS_ARCH.tar.gz and
# checksums.txt, which `sha256sum -c checksums.txt` verifies. PLATFORMS (default below) is a
# space-separated list of GOOS/GOARCH pairs. .goreleaser.yaml describes the same build.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:-}
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
  echo "release.sh: usage: bash scripts/release.sh VERSION [OUT] (VERSION like 1.2.3, got '${version}')" >&2
  exit 2
fi
out=${2:-dist}
# No windows: postmint's atomic writes use github.com/google/renameio/v2, which has no Windows
# implementation (GOOS=windows go build fails in cmd/postmint/files.go).
platforms=${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
archives=()
for p in $platforms; do
  os=${p%/*} arch=${p#*/}
  name=postmint_${version}_${os}_${arch}
  exe=postmint
  mkdir -p "$work/$name"
  echo "release.sh: building $name" >&2
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath \
    -ldflags "-s -w -X main.version=$version" -o "$work/$name/$exe" ./cmd/postmint
  cp README.md "$work/$name/"
  [[ -d docs ]] && cp -r docs "$work/$name/"
  tar -C "$work" -czf "$work/$name.tar.gz" --owner=0 --group=0 --sort=name "$name"
  archive=$name.tar.gz
  mv "$work/$archive" "$out/"
  archives+=("$archive")
done
(cd "$out" && sha256sum "${archives[@]}" > checksums.txt)
echo "release.sh: ${#archives[@]} archives and checksums.txt in $out" >&2
