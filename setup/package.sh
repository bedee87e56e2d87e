#!/usr/bin/env bash
# Builds the release archives that setup/install.sh downloads, and their
# SHA256SUMS: one modelgate_<version>_<os>_<arch>.tar.gz per target, holding
# modelgate (modelgate.exe on Windows) built with the version stamped in.
# release.yml runs it; the setup tests run it for this machine's target.
#
#   setup/package.sh VERSION OUTDIR [GOOS/GOARCH...]
#
# VERSION is the release tag (v1.4.2). Without targets: Linux, macOS and
# Windows on amd64 and arm64. The archives are reproducible: fixed owner,
# modes and times, gzip without a name or time stamp.
set -euo pipefail
version=${1:?usage: package.sh VERSION OUTDIR [GOOS/GOARCH...]}
out=${2:?usage: package.sh VERSION OUTDIR [GOOS/GOARCH...]}
shift 2
if ! [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "package.sh: version \"$version\": want a release tag such as v1.4.2" >&2
  exit 2
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)
fi
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

archives=()
for target in "${targets[@]}"; do
  goos=${target%/*}
  goarch=${target#*/}
  exe=modelgate
  if [ "$goos" = windows ]; then exe=modelgate.exe; fi
  rm -rf "${work:?}/bin"
  mkdir "$work/bin"
  (cd "$root" && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath \
    -ldflags "-s -w -X github.com/modelgate/modelgate/internal/cli.Version=$version" \
    -o "$work/bin/$exe" .)
  archive="modelgate_${version#v}_${goos}_${goarch}.tar.gz"
  tar -C "$work/bin" --owner=0 --group=0 --numeric-owner --mode=0755 --mtime=@0 -cf - "$exe" | gzip -9n >"$out/$archive"
  archives+=("$archive")
  echo "$archive"
done
(cd "$out" && sha256sum -- "${archives[@]}" >SHA256SUMS)
echo SHA256SUMS
