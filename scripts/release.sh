#!/usr/bin/env bash
# Builds release archives of postmint for users without Go, with nothing but Go (no make, no
# GoReleaser): one archive per platform and a SHA-256 checksum file.
#
#   bash scripts/release.sh VERSION [OUT]        # e.g. bash scripts/release.sh 0.1.0
#
# OUT (default dist/) receives postmint_VERSION_OS_ARCH.tar.gz (.zip for Windows, with
# postmint.exe; packed by scripts/zipdir) and checksums.txt, which `sha256sum -c checksums.txt`
# verifies. PLATFORMS (default below) is a space-separated list of GOOS/GOARCH pairs.
# .goreleaser.yaml describes the same build.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:-}
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
  echo "release.sh: usage: bash scripts/release.sh VERSION [OUT] (VERSION like 1.2.3, got '${version}')" >&2
  exit 2
fi
out=${2:-dist}
platforms=${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64}

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
archives=()
for p in $platforms; do
  os=${p%/*} arch=${p#*/}
  name=postmint_${version}_${os}_${arch}
  exe=postmint
  [[ $os == windows ]] && exe=postmint.exe
  mkdir -p "$work/$name"
  echo "release.sh: building $name" >&2
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath \
    -ldflags "-s -w -X main.version=$version" -o "$work/$name/$exe" ./cmd/postmint
  cp README.md "$work/$name/"
  [[ -d docs ]] && cp -r docs "$work/$name/"
  if [[ $os == windows ]]; then
    archive=$name.zip
    (cd scripts/zipdir && go run . "$work/$archive" "$work/$name")
  else
    archive=$name.tar.gz
    tar -C "$work" -czf "$work/$archive" --owner=0 --group=0 --sort=name "$name"
  fi
  mv "$work/$archive" "$out/"
  archives+=("$archive")
done
(cd "$out" && sha256sum "${archives[@]}" > checksums.txt)
echo "release.sh: ${#archives[@]} archives and checksums.txt in $out" >&2
