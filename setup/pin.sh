#!/usr/bin/env bash
# Pins the action files of a release commit (release.yml runs it on the
# commit its tag will point to):
#   - action.yml: "image: Dockerfile" becomes "image: docker://IMAGE", the
#     prebuilt multi-arch image by digest, so `uses: <owner>/modelgate@v1`
#     pulls instead of building;
#   - setup/action.yml: the modelgate-version input defaults to TAG and
#     release-repository to REPOSITORY, so `uses: <owner>/modelgate/setup@v1`
#     installs the binaries of its own release.
# main keeps "image: Dockerfile" and "latest" for its self-test.
#
#   setup/pin.sh TAG IMAGE REPOSITORY
#   setup/pin.sh v1.4.2 ghcr.io/acme/modelgate@sha256:<64 hex> acme/modelgate
set -euo pipefail
usage="usage: pin.sh TAG IMAGE@sha256:DIGEST OWNER/NAME"
tag=${1:?$usage}
image=${2:?$usage}
repository=${3:?$usage}
root=$(cd "$(dirname "$0")/.." && pwd)

die() {
  echo "pin.sh: $1" >&2
  exit 2
}
[[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "tag \"$tag\": want a release tag such as v1.4.2"
[[ $image =~ ^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$ ]] ||
  die "image \"$image\": want registry/name@sha256:<64 hex digits>, a digest, never a tag"
[[ $repository =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die "repository \"$repository\": want owner/name"

# replace FILE OLD NEW: replaces the one line that is exactly OLD.
replace() {
  local n
  n=$(grep -cxF -- "$2" "$1" || true)
  [ "$n" = 1 ] || die "$1: want exactly one line \"$2\", found $n"
  awk -v old="$2" -v new="$3" '$0 == old { print new; next } { print }' "$1" >"$1.pin"
  mv "$1.pin" "$1"
}

# default FILE INPUT VALUE: sets the default of one input of an action.yml.
default() {
  awk -v input="  $2:" -v value="$3" '
    /^  [A-Za-z0-9_-]+:$/ { current = $0 }
    /^[A-Za-z]/ { current = "" }
    current == input && /^    default: / { print "    default: " value; done++; next }
    { print }
    END { if (done != 1) exit 1 }' "$1" >"$1.pin" || die "$1: input $2 has no default line"
  mv "$1.pin" "$1"
}

replace "$root/action.yml" "  image: Dockerfile" "  image: docker://$image"
default "$root/setup/action.yml" modelgate-version "$tag"
default "$root/setup/action.yml" release-repository "$repository"
echo "pinned action.yml to docker://$image and setup/action.yml to $repository $tag"
