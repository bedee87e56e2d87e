#!/usr/bin/env bash
# Times the pre-commit hook on the benchmark repository (20,000 commits, 500
# release tags, 10,504 files; see run.sh): with a commit that touches no model
# file staged, with a manifest change staged as work in progress (policy
# release), and with the same change under policy every-change (the full gate).
#
#   testdata/bench/hook.sh
#
# Environment: RUNS (default 21), MODELGATE_BENCH_DIR (the cache run.sh uses),
# MODELGATE_BIN (time this binary instead of building one). Uses hyperfine when
# installed, else a bash loop. Exit 0 done, 2 could not run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${RUNS:-21}
cache=${MODELGATE_BENCH_DIR:-/tmp/modelgate-bench}
# shellcheck source=testdata/bench/lib.sh
. "$here/lib.sh"
command -v jq >/dev/null || die "jq is required: apt-get install -y jq"

# 1. modelgate
bench_setup "$root"

key=$(git hash-object "$here/genrepo.sh" | cut -c1-12)
repo=$cache/repo-$key
if [ ! -f "$repo.ok" ]; then
	echo "==> generating the repository (once)" >&2
	rm -rf "$repo"
	mkdir -p "$cache"
	"$here/genrepo.sh" "$repo" >&2
	git -C "$repo" rev-parse HEAD >"$repo.ok"
fi

# A shared clone, so the cached repository is never changed; it keeps the
# release tags the gate needs for its baseline.
work=$tmp/work
git clone -q --shared "$repo" "$work"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost

run_hook() { (cd "$work" && "$bin" hook pre-commit); }

# time_hook LABEL: times "modelgate hook pre-commit" in $work; every run must pass.
time_hook() {
	run_hook >/dev/null || die "$1: the hook did not pass"
	if command -v hyperfine >/dev/null; then
		(cd "$work" && hyperfine -N --warmup 2 --runs "$runs" --export-json "$tmp/hf.json" "$bin hook pre-commit" >/dev/null 2>&1)
		jq -r '.results[0].times[] * 1e6 | round' "$tmp/hf.json" >"$tmp/us"
	else
		time_loop "$tmp/us" "$runs" 0 run_hook || die "$1: the hook did not pass"
	fi
	read -r med _ < <(median_ms "$tmp/us")
	printf '| %s | %s |\n' "$1" "$med"
}

echo "| staged change | median (ms) |"
echo "|---|---:|"
echo "More documentation." >>"$work/README.md"
git -C "$work" add README.md
time_hook "README.md only (no model file)"
git -C "$work" reset -q --hard
jq '.hyperparameters.learning_rate = 0.00021' "$work/manifest.yaml" >"$tmp/m" && cp "$tmp/m" "$work/manifest.yaml"
git -C "$work" add manifest.yaml
# The version stays: work in progress under policy release, which gates the
# staged content and, to tell whether the commit raises the next release's
# bump, HEAD too.
time_hook "manifest.yaml, work in progress (policy release)"
printf 'policy: every-change\n' >"$work/.modelgate.yaml"
git -C "$work" add .modelgate.yaml
time_hook "manifest.yaml, full gate (policy every-change)"
echo
echo "$runs runs each on $(nproc) CPUs; $(git --version)."
