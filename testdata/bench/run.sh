#!/usr/bin/env bash
# run.sh — benchmark `modelgate check` against baseline.sh (the same reads with the
# git CLI and jq) on a generated repository of 20,000 commits, 500 release tags and
# 10,000 files.
#
#   testdata/bench/run.sh
#
# Builds modelgate from the repository root (`go build -o $TMP/modelgate .`), generates
# the repository with genrepo.sh (cached in $MODELGATE_BENCH_DIR, default
# /tmp/modelgate-bench, keyed by the hash of genrepo.sh, so reruns skip generation),
# checks that both find the same baseline tag as `git describe`, then times RUNS runs
# of each (hyperfine if installed, else a bash loop) and prints the medians and their
# ratio as a markdown table on stdout. Progress goes to stderr.
#
# Environment:
#   RUNS=15                 timed runs of each command
#   WARMUP=2                untimed runs before them
#   MODELGATE_BENCH_DIR     cache folder for the generated repository
#   MODELGATE_BIN           use this modelgate binary instead of building one
#   BENCH_TIMER=loop        use the bash loop even when hyperfine is installed
#
# Needs git, jq (apt-get install -y jq) and go (unless MODELGATE_BIN is set); installs
# nothing. Exit 0 done, 1 a sanity check failed, 2 could not run.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${RUNS:-15}
warmup=${WARMUP:-2}
cache=${MODELGATE_BENCH_DIR:-/tmp/modelgate-bench}
prefix=lite-llm-base-v

# shellcheck source=testdata/bench/lib.sh
. "$here/lib.sh"

command -v git >/dev/null || die "git is required"
command -v jq >/dev/null || die "jq is required; install it with: apt-get install -y jq"
check_counts "$runs" "$warmup"

# 1. modelgate
bench_setup "$root"

# 2. the repository, cached by the hash of genrepo.sh
key=$(git hash-object "$here/genrepo.sh" | cut -c1-12)
repo=$cache/repo-$key
if [ -f "$repo.ok" ] && [ "$(git -C "$repo" rev-parse -q --verify HEAD 2>/dev/null)" = "$(cat "$repo.ok")" ]; then
	say "using cached repository $repo"
	gen_note="cached"
else
	say "generating repository $repo"
	mkdir -p "$cache"
	rm -rf "$repo" "$repo.ok"
	build=$repo.tmp.$$
	rm -rf "$build"
	t0=$(date +%s%N)
	"$here/genrepo.sh" "$build" || {
		rm -rf "$build"
		die "genrepo.sh failed"
	}
	t1=$(date +%s%N)
	mv "$build" "$repo"
	git -C "$repo" rev-parse HEAD >"$repo.ok"
	gen_note="generated in $(((t1 - t0) / 1000000)) ms"
fi
ncommits=$(git -C "$repo" rev-list --count HEAD)
ntags=$(git -C "$repo" tag --list "$prefix*" | wc -l | tr -d ' ')
nfiles=$(git -C "$repo" ls-files | wc -l | tr -d ' ')

# 3. sanity: everyone finds the same baseline, both gates pass
describe=$(git -C "$repo" describe --tags --abbrev=0 --match "$prefix*" HEAD)
merged=$(git -C "$repo" tag --merged HEAD --list "$prefix*" --sort=-v:refname |
	awk -v p="$prefix" 'index($0, p) == 1 && substr($0, length(p) + 1) ~ /^[0-9]+\.[0-9]+\.[0-9]+$/ && !found { print; found = 1 }')
base_model=$(git -C "$repo" show "$describe:manifest.yaml" | jq -r .model)
head_model=$(git -C "$repo" show HEAD:manifest.yaml | jq -r .model)

bl_rc=0
bl_out=$("$here/baseline.sh" "$repo" 2>&1) || bl_rc=$?
[ "$bl_rc" -eq 0 ] || fail "baseline.sh exited $bl_rc (expected 0, a pass):"$'\n'"$bl_out"
bl_tag=$(awk '$1 == "baseline:" { print $2 }' <<<"$bl_out")
bl_bump=$(awk '$1 == "required:" { print $2 }' <<<"$bl_out")

mg_rc=0
"$bin" check --repo "$repo" --format json >"$tmp/mg.json" 2>"$tmp/mg.err" || mg_rc=$?
if [ "$mg_rc" -ne 0 ]; then
	echo "--- stdout" >&2
	head -c 4000 "$tmp/mg.json" >&2
	echo "--- stderr" >&2
	head -c 4000 "$tmp/mg.err" >&2
	fail "'modelgate check --repo $repo --format json' exited $mg_rc; it must pass (exit 0) on the benchmark repository"
fi
jq -e . "$tmp/mg.json" >/dev/null 2>&1 || fail "modelgate check --format json did not print valid JSON: $(head -c 400 "$tmp/mg.json")"
mg_tag=$(jq -r '.models[0].base.ref // "none"' "$tmp/mg.json")
mg_bump=$(jq -r '.models[0].required_bump // "?"' "$tmp/mg.json")
mg_passed=$(jq -r '.passed' "$tmp/mg.json")

cat <<SANITY
### Sanity

| reader | baseline tag | required bump |
|---|---|---|
| \`git describe --tags --abbrev=0 --match '$prefix*'\` | $describe | |
| \`git tag --merged HEAD --sort=-v:refname\` | $merged | |
| \`baseline.sh\` (git + jq) | $bl_tag | $bl_bump |
| \`modelgate check\` | $mg_tag | $mg_bump |

\`git show $describe:manifest.yaml\`: model $base_model; \`git show HEAD:manifest.yaml\`: model $head_model; modelgate passed: $mg_passed

SANITY
if [ "$describe" != "$merged" ] || [ "$bl_tag" != "$merged" ] || [ "$mg_tag" != "$merged" ]; then
	fail "the readers disagree on the baseline tag (see the table above)"
fi
[ "$mg_passed" = true ] || fail "modelgate exited 0 but reported \"passed\": $mg_passed"
[ "$mg_bump" = "$bl_bump" ] || say "warning: modelgate requires '$mg_bump', baseline.sh '$bl_bump' (expected minor)"

# 4. timing
mg_cmd=("$bin" check --repo "$repo" --format json)
bl_cmd=("$here/baseline.sh" "$repo")

if command -v hyperfine >/dev/null && [ "${BENCH_TIMER:-}" != loop ]; then
	timer="hyperfine $(hyperfine --version | awk '{ print $2 }')"
	hf=(hyperfine --runs "$runs" --warmup "$warmup" --style basic --export-json "$tmp/hf.json")
	if hyperfine --help 2>&1 | grep -- '--shell' >/dev/null; then
		hf+=(--shell=none)
		timer+=" (--shell=none)"
	fi
	say "timing with $timer: $runs runs each"
	"${hf[@]}" -n modelgate "$(printf '%q ' "${mg_cmd[@]}")" -n baseline "$(printf '%q ' "${bl_cmd[@]}")" >&2 ||
		die "hyperfine failed"
	jq -r '.results[0].times[] * 1e6 | round' "$tmp/hf.json" >"$tmp/mg.us"
	jq -r '.results[1].times[] * 1e6 | round' "$tmp/hf.json" >"$tmp/bl.us"
else
	timer="bash loop"
	say "timing with a bash loop: $runs runs each (install hyperfine for better statistics)"
	time_loop "$tmp/mg.us" "$runs" "$warmup" "${mg_cmd[@]}" || fail "${mg_cmd[*]} failed"
	time_loop "$tmp/bl.us" "$runs" "$warmup" "${bl_cmd[@]}" || fail "${bl_cmd[*]} failed"
fi
read -r mg_med mg_min mg_max < <(median_ms "$tmp/mg.us")
read -r bl_med bl_min bl_max < <(median_ms "$tmp/bl.us")
ratio=$(awk -v a="$bl_med" -v b="$mg_med" 'BEGIN { printf "%.1f", (b > 0) ? a / b : 0 }')

cat <<TABLE
### Benchmark

Repository: $ncommits commits, $ntags release tags, $nfiles files, packed ($gen_note).
Machine: $(nproc 2>/dev/null || echo '?') CPUs, $(git --version), $(jq --version). Timer: $timer, $runs runs after $warmup warm-up.

| command | median (ms) | min–max (ms) |
|---|---:|---:|
| \`modelgate check --format json\` | $mg_med | $mg_min–$mg_max |
| \`baseline.sh\` (git CLI + jq) | $bl_med | $bl_min–$bl_max |
| ratio baseline ÷ modelgate | ${ratio}× | |
TABLE
