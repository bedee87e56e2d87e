#!/usr/bin/env bash
# formats.sh — benchmark `modelgate check` on header-only evidence (issue 14):
#   gguf      a GGUF header of a 256,000-token vocabulary (with scores and token
#             types) and 1,000 tensor infos under architecture and tensors, plain
#             git blobs; HEAD appends 3 tokens                   -> gguf-tokens-added (minor)
#   onnx-lfs  an ONNX model of 10,000 initializers holding 1 GiB of raw_data,
#             behind a Git LFS pointer (objects in .git/lfs/objects), under api and
#             tensors; HEAD adds a graph output                  -> signature-output-added (minor)
#   onnx-blob the same two models committed as plain git blobs: the weights are
#             streamed past in bounded memory, so the time grows with the size
#
#   testdata/bench/formats.sh
#
# The ONNX files are written sparse (the raw_data are holes), so 1 GiB takes
# little disk; the LFS objects are read by seeking past the weights, never
# reading them. Each scenario is checked (exit 0, the expected finding) before it
# is timed (median of RUNS runs, bash loop) and its peak memory measured with
# /usr/bin/time -v. Prints a markdown table on stdout; progress on stderr.
#
# Environment: RUNS=5, ONNX_BYTES=1073741824, MODELGATE_BIN (else built).
# Needs git, go and GNU time (apt-get install -y time). Exit 0 done, 1 a sanity
# check failed, 2 could not run.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${RUNS:-5}
bytes=${ONNX_BYTES:-1073741824}
# shellcheck source=testdata/bench/lib.sh
. "$here/lib.sh"
command -v git >/dev/null || die "git is required"
command -v go >/dev/null || die "go is required (for the generator)"
[ -x /usr/bin/time ] || die "GNU time is required for the peak memory; install it with: apt-get install -y time"

bench_setup "$root"
(cd "$root" && go build -o "$tmp/genformats" ./testdata/bench/genformats) || die "cannot build the generator"
gen=$tmp/genformats

g() { git -C "$1" -c user.name=bench -c user.email=bench@modelgate.invalid "${@:2}"; }
# lfs FILE: move FILE into the repository's LFS store and leave a pointer.
lfs() {
	local repo=$1 file=$2 oid size
	oid=$(sha256sum "$file" | cut -d' ' -f1)
	size=$(stat -c %s "$file")
	mkdir -p "$repo/.git/lfs/objects/${oid:0:2}/${oid:2:2}"
	mv "$file" "$repo/.git/lfs/objects/${oid:0:2}/${oid:2:2}/$oid"
	printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %s\n' "$oid" "$size" >"$file"
}
# repo NAME FILE FIELDS: a repository whose release 1.0.0 holds FILE.base and
# HEAD (1.1.0) FILE.head, the manifest naming FILE in FIELDS.
repo() {
	local name=$1 file=$2 fields=$3 mode=$4 r=$tmp/$1
	git init -q -b main "$r"
	mani() { printf 'model: %s-v%s\n' "$name" "$1"; for f in $fields; do printf '%s: %s\n' "$f" "$file"; done; }
	mani 1.0.0 >"$r/manifest.yaml"
	cp --sparse=always "$tmp/$file.base" "$r/$file"
	[ "$mode" = lfs ] && lfs "$r" "$r/$file"
	g "$r" add -A
	g "$r" commit -qm 'release 1.0.0'
	g "$r" tag -a "$name-v1.0.0" -m 'release 1.0.0'
	mani 1.1.0 >"$r/manifest.yaml"
	rm -f "$r/$file"
	cp --sparse=always "$tmp/$file.head" "$r/$file"
	[ "$mode" = lfs ] && lfs "$r" "$r/$file"
	mkdir -p "$r/releases"
	printf 'Three tokens, one output.\n' >"$r/releases/v1.1.0.md"
	g "$r" add -A
	g "$r" commit -qm 'release 1.1.0'
	printf '%s\n' "$r"
}

say "generating a GGUF header of 256,000 tokens and 1,000 tensors"
"$gen" gguf "$tmp/model.gguf.base" 256000 1000
"$gen" gguf "$tmp/model.gguf.head" 256003 1000
say "generating two sparse ONNX models of 10,000 initializers, $bytes bytes of raw_data"
"$gen" onnx "$tmp/model.onnx.base" 10000 "$bytes"
"$gen" onnx "$tmp/model.onnx.head" 10000 "$bytes" hidden
ggufrepo=$(repo gguf model.gguf "architecture tensors" git)
lfsrepo=$(repo onnxlfs model.onnx "api tensors" lfs)
say "committing the ONNX models as plain git blobs (git compresses $((bytes * 2)) bytes)"
blobrepo=$(repo onnxblob model.onnx "api tensors" git)

sanity() { # repo rule
	local rc=0
	"$bin" check --repo "$1" --format json >"$tmp/out.json" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 0 ] || fail "check in $1 exited $rc: $(head -c 1000 "$tmp/err") $(head -c 1000 "$tmp/out.json")"
	grep -q "\"rule\": \"$2\"" "$tmp/out.json" || fail "no $2 finding in $1: $(head -c 2000 "$tmp/out.json")"
}
measure() { # repo -> "median min max peakMiB"
	local cmd=("$bin" check --repo "$1" --format json) med lo hi peak
	time_loop "$tmp/us" "$runs" 1 "${cmd[@]}" || fail "${cmd[*]} failed"
	read -r med lo hi < <(median_ms "$tmp/us")
	peak=$(peak_rss_mib 2 "${cmd[@]}") || fail "${cmd[*]} failed under /usr/bin/time"
	echo "$med $lo $hi $peak"
}
sanity "$ggufrepo" gguf-tokens-added
sanity "$lfsrepo" signature-output-added
sanity "$blobrepo" signature-output-added
say "timing, $runs runs each"
read -r g1 g2 g3 g4 < <(measure "$ggufrepo")
read -r l1 l2 l3 l4 < <(measure "$lfsrepo")
read -r b1 b2 b3 b4 < <(measure "$blobrepo")
cat <<TABLE
### Header-only evidence benchmark

Machine: $(nproc) CPUs, $(git --version). $runs runs after one warm-up; ONNX raw_data $bytes bytes per model.

| scenario | median (ms) | min–max (ms) | peak RSS (MiB) |
|---|---:|---:|---:|
| GGUF, 256,000 tokens + 1,000 tensors, git blobs | $g1 | $g2–$g3 | $g4 |
| ONNX, 10,000 initializers, behind Git LFS | $l1 | $l2–$l3 | $l4 |
| ONNX, the same, plain git blobs (streamed) | $b1 | $b2–$b3 | $b4 |
TABLE
