#!/usr/bin/env bash
# shapes.sh [SHAPE...] — modelgate against the git CLI on every shape of issue 16, in one
# table: the median wall time of each (whole processes), their ratio, and peak RSS.
#
#   testdata/bench/shapes.sh                       # every shape
#   testdata/bench/shapes.sh bench hook tags50k    # some
#
# Shapes (each a repository built with git fast-import and git gc, cached in
# $MODELGATE_BENCH_DIR, default /tmp/modelgate-bench, keyed by the hash of the
# generators; the first run of the 1,000,000-file shapes takes minutes):
#   bench           genrepo.sh: 20,000 commits, 500 release tags, 10,504 files; compared
#                   with the bare git reads (describe + show) and with baseline.sh (git + jq)
#   tags50k         50,000 tags (5,000 releases, 45,000 others), baseline one commit back
#   commits10k      10,040 commits between the baseline and HEAD
#   models50        50 models, about 550 release tags, 2,000 commits
#   models500       500 models, about 2,500 release tags, 4,000 commits
#   files1m-nested  1,000,000 files in 10,000 folders; one changes
#   files200k-flat  200,000 files in one folder; one changes
#   files1m-flat    1,000,000 files in one folder; one changes
#   hook            modelgate hook pre-commit with README.md staged (no model file), in a
#                   git clone --shared of bench; compared with git diff --cached --name-only
#
# The git CLI side does the reads the gate needs, as a careful script would:
#   one model   git describe --tags --abbrev=0 --match '<name>-v*' HEAD, then one git show
#               of both manifests (and git diff --name-only TAG HEAD for the file shapes)
#   many models one git for-each-ref --merged HEAD of the release tags, then one
#               git cat-file --batch of every model's manifest at HEAD and at its tag
#
# Every modelgate run must pass (exit 0) and agree with git describe on the baseline; the
# script checks that first. Environment: RUNS (11) timed runs of each command, BIG_RUNS (3)
# for models500 and the 1,000,000-file shapes, WARMUP (1), MODELGATE_BENCH_DIR,
# MODELGATE_BIN (time this binary instead of building one). Needs git, jq, GNU time
# (/usr/bin/time) and Go unless MODELGATE_BIN is set. Prints the markdown table on stdout,
# progress on stderr. Exit 0 done, 1 a sanity check failed, 2 could not run.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${RUNS:-11}
big_runs=${BIG_RUNS:-3}
warmup=${WARMUP:-1}
cache=${MODELGATE_BENCH_DIR:-/tmp/modelgate-bench}

# shellcheck source=testdata/bench/lib.sh
. "$here/lib.sh"

command -v git >/dev/null || die "git is required"
command -v jq >/dev/null || die "jq is required; install it with: apt-get install -y jq"
[ -x /usr/bin/time ] || die "GNU time is required for peak memory; install it with: apt-get install -y time"
for n in "$runs" "$big_runs"; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "RUNS and BIG_RUNS must be positive integers, got '$n'"; done
[[ $warmup =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer, got '$warmup'"

all=(bench tags50k commits10k models50 models500 files1m-nested files200k-flat files1m-flat hook)
shapes=("$@")
[ "${#shapes[@]}" -gt 0 ] || shapes=("${all[@]}")
for s in "${shapes[@]}"; do
	[[ " ${all[*]} " == *" $s "* ]] || die "unknown shape $s; shapes: ${all[*]}"
done

bench_setup "$root"

# repo SHAPE: the cached repository of a shape, generated when missing.
repo() {
	local shape=$1 key dir
	if [ "$shape" = bench ] || [ "$shape" = hook ]; then
		key=$(git hash-object "$here/genrepo.sh" | cut -c1-12)
		dir=$cache/repo-$key
		gen=("$here/genrepo.sh")
	else
		key=$(cat "$here/genrepo.sh" "$here/genshape.sh" | git hash-object --stdin | cut -c1-12)
		dir=$cache/$shape-$key
		gen=("$here/genshape.sh" "$shape")
	fi
	if [ -f "$dir.ok" ] && [ "$(git -C "$dir" rev-parse -q --verify HEAD 2>/dev/null)" = "$(cat "$dir.ok")" ]; then
		printf '%s\n' "$dir"
		return
	fi
	say "generating $shape in $dir"
	mkdir -p "$cache"
	rm -rf "$dir" "$dir.ok" "$dir.tmp.$$"
	"${gen[@]}" "$dir.tmp.$$" >&2 || {
		rm -rf "$dir.tmp.$$"
		die "generating $shape failed"
	}
	mv "$dir.tmp.$$" "$dir"
	git -C "$dir" rev-parse HEAD >"$dir.ok"
	printf '%s\n' "$dir"
}

# timeit N OUT CMD...: N timed runs after the warm-up; microseconds, one a line, in OUT.
timeit() { time_loop "$2" "$1" "$warmup" "${@:3}" || fail "${*:3} failed"; }

# timepair N OUT_MG OUT_GIT MG_CMD... -- GIT_CMD...: the two commands run in turn, the
# warm-up and then N timed runs each, so that both see the same load of a shared machine
# and their ratio holds when the load moves; microseconds, one a line, in each OUT.
timepair() {
	local n=$1 out_mg=$2 out_git=$3 i
	shift 3
	local -a mgcmd=() gitcmd=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do mgcmd+=("$1") && shift; done
	[ $# -gt 0 ] && shift
	gitcmd=("$@")
	: >"$out_mg"
	: >"$out_git"
	for ((i = 0; i < warmup + n; i++)); do
		time_loop "$tmp/pair" 1 0 "${mgcmd[@]}" || fail "${mgcmd[*]} failed"
		[ "$i" -ge "$warmup" ] && cat "$tmp/pair" >>"$out_mg"
		time_loop "$tmp/pair" 1 0 "${gitcmd[@]}" || fail "${gitcmd[*]} failed"
		[ "$i" -ge "$warmup" ] && cat "$tmp/pair" >>"$out_git"
	done
	return 0
}

# rss CMD...: the peak resident memory of every process CMD runs itself (the git reads
# run several), in MiB. Commands call $run before each process they start.
rss() {
	: >"$tmp/rss"
	run="/usr/bin/time -a -o $tmp/rss -f %M" "$@" >/dev/null 2>&1 || fail "$* failed"
	awk '$1 + 0 > m { m = $1 + 0 } END { printf "%.1f", m / 1024 }' "$tmp/rss"
}
run=

# The modelgate side.
mg_check() { $run "$bin" check --repo "$1" --format json; }
mg_hook() { (cd "$1" && $run "$bin" hook pre-commit); }

# The git side.
git_one() { # REPO NAME [diff]: describe, show (and diff) for one model at the root
	local tag
	tag=$($run git -C "$1" describe --tags --abbrev=0 --match "$2-v*" HEAD)
	$run git -C "$1" show "HEAD:manifest.yaml" "$tag:manifest.yaml" >/dev/null
	if [ "${3:-}" = diff ]; then $run git -C "$1" diff --name-only "$tag" HEAD >/dev/null; fi
}
git_many() { # REPO: every model's highest merged release tag, every manifest in one batch
	$run git -C "$1" for-each-ref --merged HEAD --sort=-v:refname --format='%(refname:short)' 'refs/tags/m*-v*' |
		awk -F'-v' '!seen[$1]++ { printf "HEAD:models/%s/manifest.yaml\n%s:models/%s/manifest.yaml\n", $1, $0, $1 }' >"$tmp/batch"
	$run git -C "$1" cat-file --batch <"$tmp/batch" >/dev/null
}
git_hook() { (cd "$1" && $run git diff --cached --name-only); } # in a subshell too, as mg_hook

# sanity SHAPE REPO: the gate passes and agrees with git describe on the baseline.
sanity() {
	local shape=$1 dir=$2 rc=0 want got
	if [ "$shape" = hook ]; then
		(cd "$dir" && "$bin" hook pre-commit >"$tmp/out" 2>&1) || fail "$shape: modelgate hook pre-commit did not pass: $(head -c 2000 "$tmp/out")"
		return
	fi
	"$bin" check --repo "$dir" --format json >"$tmp/out.json" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 0 ] || fail "$shape: modelgate check exited $rc: $(head -c 2000 "$tmp/err")"
	[ "$(jq -r .passed "$tmp/out.json")" = true ] || fail "$shape: modelgate check did not pass"
	case $shape in
	models*)
		want=$(git -C "$dir" for-each-ref --merged HEAD --sort=-v:refname --format='%(refname:short)' 'refs/tags/m*-v*' | awk -F'-v' '!seen[$1]++' | sort | tr '\n' ' ')
		got=$(jq -r '.models[].base.ref' "$tmp/out.json" | sort | tr '\n' ' ')
		;;
	*)
		want=$(git -C "$dir" describe --tags --abbrev=0 --match 'lite-llm-base-v*' HEAD)
		got=$(jq -r '.models[0].base.ref' "$tmp/out.json")
		;;
	esac
	[ "$want" = "$got" ] || fail "$shape: modelgate's baselines ($got) differ from git's ($want)"
}

rows=()
row() { # SHAPE WHAT MG_OUT GIT_OUT MG_RSS GIT_RSS GOAL
	local m g ratio
	read -r m _ < <(median_ms "$3")
	read -r g _ < <(median_ms "$4")
	ratio=$(awk -v m="$m" -v g="$g" 'BEGIN { printf "%.2f", (g > 0) ? m / g : 0 }')
	rows+=("| $1 | $2 | $m | $g | ${ratio}× | $5 | $6 | $7 |")
}

for shape in "${shapes[@]}"; do
	dir=$(repo "$shape")
	n=$runs
	case $shape in models500 | files1m-*) n=$big_runs ;; esac
	if [ "$shape" = hook ]; then
		work=$tmp/hook
		rm -rf "$work"
		git clone -q --shared "$dir" "$work"
		echo "More documentation." >>"$work/README.md"
		git -C "$work" add README.md
		dir=$work
	fi
	say "$shape: checking the verdict"
	sanity "$shape" "$dir"
	say "$shape: timing modelgate and git, $n runs each"
	case $shape in
	hook)
		timepair "$n" "$tmp/mg" "$tmp/git" mg_hook "$dir" -- git_hook "$dir"
		row hook "pre-commit, README.md staged" "$tmp/mg" "$tmp/git" "$(rss mg_hook "$dir")" "$(rss git_hook "$dir")" "≤ 12 ms"
		;;
	models*)
		timepair "$n" "$tmp/mg" "$tmp/git" mg_check "$dir" -- git_many "$dir"
		goal="< 0.3 s"
		[ "$shape" = models500 ] && goal="< 3 s"
		row "$shape" "${shape#models} models" "$tmp/mg" "$tmp/git" "$(rss mg_check "$dir")" "$(rss git_many "$dir")" "$goal"
		;;
	files*)
		timepair "$n" "$tmp/mg" "$tmp/git" mg_check "$dir" -- git_one "$dir" lite-llm-base diff
		case $shape in
		files1m-nested) goal="< 100 ms" what="1,000,000 files, nested" ;;
		files200k-flat) goal="≤ 5× git, < 400 MiB" what="200,000 files, one folder" ;;
		files1m-flat) goal="< 1.5 s" what="1,000,000 files, one folder" ;;
		esac
		row "$shape" "$what" "$tmp/mg" "$tmp/git" "$(rss mg_check "$dir")" "$(rss git_one "$dir" lite-llm-base diff)" "$goal"
		;;
	*)
		timepair "$n" "$tmp/mg" "$tmp/git" mg_check "$dir" -- git_one "$dir" lite-llm-base
		case $shape in
		bench) goal="≤ 3× git" what="20,000 commits, 500 tags, 10,504 files" ;;
		tags50k) goal="< 80 ms" what="50,000 tags" ;;
		commits10k) goal="< 150 ms" what="10,040 commits to the baseline" ;;
		esac
		mg_rss=$(rss mg_check "$dir")
		row "$shape" "$what" "$tmp/mg" "$tmp/git" "$mg_rss" "$(rss git_one "$dir" lite-llm-base)" "$goal"
		if [ "$shape" = bench ]; then
			say "bench: timing baseline.sh (git + jq)"
			"$here/baseline.sh" "$dir" >/dev/null || fail "baseline.sh did not pass on $dir"
			timeit "$n" "$tmp/jq" "$here/baseline.sh" "$dir"
			rss_jq() { $run "$here/baseline.sh" "$1"; }
			row bench "vs baseline.sh (git + jq)" "$tmp/mg" "$tmp/jq" "$mg_rss" "$(rss rss_jq "$dir")" "≤ 0.35×"
		fi
		;;
	esac
done

cat <<TABLE
| shape | what | modelgate (ms) | git CLI (ms) | modelgate ÷ git | modelgate peak RSS (MiB) | git peak RSS (MiB) | goal |
|---|---|---:|---:|---:|---:|---:|---|
$(printf '%s\n' "${rows[@]}")

Medians of whole processes: $runs runs ($big_runs for models500 and the 1,000,000-file shapes) after $warmup warm-up, modelgate and git in turn; $(date -u +%Y-%m-%d); $(nproc 2>/dev/null || echo '?') CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'); $(git --version).
TABLE
