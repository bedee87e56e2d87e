#!/usr/bin/env bash
# Installs a released modelgate binary for the runner's OS and architecture
# (setup/action.yml runs it; it works by hand too): downloads
# modelgate_<version>_<os>_<arch>.tar.gz and SHA256SUMS from the GitHub
# release, refuses the archive unless SHA256SUMS lists it with the same
# SHA-256, unpacks it into the runner's tool cache and adds that folder to
# PATH. setup/package.sh makes the archives and SHA256SUMS that release.yml
# publishes.
#
# Environment:
#   MODELGATE_VERSION     latest (default), v1, v1.4 (the highest stable
#                         release of that line), or v1.4.2 / 1.4.2
#   MODELGATE_REPOSITORY  owner/name of the releases (default modelgate/modelgate)
#   MODELGATE_SERVER_URL  where the releases are (default https://github.com)
#   MODELGATE_API_URL     its REST API (default https://api.github.com)
#   MODELGATE_TOKEN       optional token for the API calls that resolve a
#                         version (rate limits); sent only when that API is
#                         the workflow's own (GITHUB_API_URL), never to
#                         download hosts
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, GITHUB_PATH, GITHUB_OUTPUT,
#   GITHUB_API_URL: as a runner sets them (default: this machine)
set -euo pipefail

fail() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    echo "::error title=modelgate setup::$1"
  fi
  echo "modelgate setup: $1" >&2
  exit 1
}

repo=${MODELGATE_REPOSITORY:-modelgate/modelgate}
server=${MODELGATE_SERVER_URL:-https://github.com}
api=${MODELGATE_API_URL:-https://api.github.com}
server=${server%/}
api=${api%/}
own_api=${GITHUB_API_URL:-https://api.github.com}
case $repo in
  */*) ;;
  *) fail "MODELGATE_REPOSITORY is \"$repo\": want owner/name" ;;
esac

# --- the runner's OS and architecture, as release archives name them.
runner_os=${RUNNER_OS:-$(uname -s)}
runner_arch=${RUNNER_ARCH:-$(uname -m)}
case $runner_os in
  Linux | linux) goos=linux ;;
  macOS | Darwin | darwin) goos=darwin ;;
  Windows | MINGW* | MSYS* | CYGWIN* | windows) goos=windows ;;
  *) fail "no modelgate release for the OS \"$runner_os\": Linux, macOS and Windows only; install with go install github.com/modelgate/modelgate@latest" ;;
esac
case $runner_arch in
  X64 | x86_64 | amd64) goarch=amd64 ;;
  ARM64 | arm64 | aarch64) goarch=arm64 ;;
  *) fail "no modelgate release for the architecture \"$runner_arch\": x64 and arm64 only; install with go install github.com/modelgate/modelgate@latest" ;;
esac
exe=modelgate
if [ "$goos" = windows ]; then exe=modelgate.exe; fi

# fetch FILE URL downloads URL to FILE without credentials; on failure it
# prints curl's reason on one line.
fetch() {
  local err
  err=$(curl -fsSL --retry 3 --proto '=https,http' -o "$1" "$2" 2>&1) && return 0
  printf '%s' "$err" | tr '\n' ' ' | sed 's/^curl: ([0-9]*) //; s/ *$//'
  return 1
}

# api_get PATH prints the API's answer for PATH; the token, if any, goes
# only to the workflow's own API, which it was issued for.
api_get() {
  local auth=()
  if [ -n "${MODELGATE_TOKEN:-}" ] && [ "$api" = "${own_api%/}" ]; then
    auth=(-H "Authorization: Bearer $MODELGATE_TOKEN")
  fi
  curl -fsL --retry 3 --proto '=https,http' -H "Accept: application/vnd.github+json" ${auth[@]+"${auth[@]}"} "$api/$1"
}

# tags prints the tag_name values of a JSON answer, one a line (compact or
# indented JSON alike: every delimiter becomes a line break).
tags() {
  # shellcheck disable=SC2020 # each of the five characters becomes a newline
  tr ',{}[]' '\n\n\n\n\n' | sed -n 's/^[[:space:]]*"tag_name"[[:space:]]*:[[:space:]]*"\([^"]*\)"[[:space:]]*$/\1/p'
}

# --- the version to install.
want=${MODELGATE_VERSION:-latest}
case $want in
  latest)
    answer=$(api_get "repos/$repo/releases/latest") ||
      fail "cannot find the latest release of $repo at $api; set the version input to a release such as v1.2.3"
    version=$(printf '%s\n' "$answer" | tags | head -n 1)
    ;;
  v[0-9]* | [0-9]*)
    want=v${want#v}
    if [[ $want =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
      version=$want
    elif [[ $want =~ ^v[0-9]+(\.[0-9]+)?$ ]]; then
      # The highest stable release of the line: v1 -> v1.x.y, v1.4 -> v1.4.y.
      line="^${want//./\\.}\\.[0-9]+\$"
      if [[ $want =~ ^v[0-9]+$ ]]; then
        line="^${want}\\.[0-9]+\\.[0-9]+\$"
      fi
      answer=$(api_get "repos/$repo/releases?per_page=100") ||
        fail "cannot list the releases of $repo at $api; set the version input to a release such as v1.2.3"
      version=$(printf '%s\n' "$answer" | tags | { grep -E "$line" || true; } |
        awk '{ split(substr($0, 2), v, "."); printf "%012d %012d %012d %s\n", v[1], v[2], v[3], $0 }' |
        sort | tail -n 1 | cut -d' ' -f4)
    else
      fail "version \"$MODELGATE_VERSION\": want latest, v1, v1.4 or v1.4.2"
    fi
    ;;
  *) fail "version \"$MODELGATE_VERSION\": want latest, v1, v1.4 or v1.4.2" ;;
esac
[[ ${version:-} =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
  fail "no release of $repo matches version \"$want\" (found \"${version:-nothing}\")"

archive="modelgate_${version#v}_${goos}_${goarch}.tar.gz"
download="$server/$repo/releases/download/$version"

# --- the tool cache: <cache>/modelgate/<version>/<arch>, complete when
# <arch>.complete exists (the layout of actions/tool-cache).
cache_root=${RUNNER_TOOL_CACHE:-${TMPDIR:-/tmp}/modelgate-tool-cache}
dir="$cache_root/modelgate/${version#v}/$goarch"
if [ -f "$dir.complete" ] && [ -x "$dir/$exe" ]; then
  echo "modelgate $version ($goos/$goarch) from the tool cache: $dir"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "downloading $download/$archive"
  why=$(fetch "$work/$archive" "$download/$archive") ||
    fail "cannot download $archive from the release $version of $repo ($download: $why)"
  why=$(fetch "$work/SHA256SUMS" "$download/SHA256SUMS") ||
    fail "cannot download SHA256SUMS of the release $version of $repo: refusing to install a binary that cannot be verified ($why)"
  expected=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print tolower($1); exit }' "$work/SHA256SUMS")
  [[ $expected =~ ^[0-9a-f]{64}$ ]] ||
    fail "SHA256SUMS of the release $version lists no SHA-256 for $archive: refusing to install a binary that cannot be verified"
  if command -v sha256sum >/dev/null 2>&1; then
    actual=$(sha256sum "$work/$archive" | cut -d' ' -f1)
  else
    actual=$(shasum -a 256 "$work/$archive" | cut -d' ' -f1)
  fi
  [ "$actual" = "$expected" ] ||
    fail "checksum mismatch for $archive: SHA256SUMS says $expected, the download is $actual; refusing to install it (a corrupted or tampered download)"
  mkdir "$work/x"
  tar -xzf "$work/$archive" -C "$work/x" "$exe" ||
    fail "$archive does not hold $exe"
  chmod +x "$work/x/$exe"
  rm -rf "$dir" "$dir.complete"
  mkdir -p "$dir"
  mv "$work/x/$exe" "$dir/$exe"
  touch "$dir.complete"
  echo "installed modelgate $version ($goos/$goarch, sha256 $actual) in $dir"
fi

if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$dir" >>"$GITHUB_PATH"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "version=$version"
    echo "path=$dir/$exe"
  } >>"$GITHUB_OUTPUT"
fi
