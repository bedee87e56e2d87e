#!/usr/bin/env bash
# genshape.sh SHAPE DIR — build one of the scaling shapes of the benchmark (issue 16)
# in DIR, with `git fast-import` streams and `git gc`, like genrepo.sh; fixed dates and
# identities, so the same shape gives the same commits. Every shape is built so that
# a correct gate PASSES.
#
#   models50, models500  50 or 500 models, models/mNNN/manifest.yaml listed in
#                        .modelgate.yaml, over 2,000 (models50) or 4,000 (models500)
#                        commits that touch 1,000 shared library files; every 4th
#                        (2nd) commit is a patch release of the next model in turn,
#                        tagged mNNN-v1.0.P (about 10 or 4 releases a model). At HEAD
#                        models m000-m002 add a tier and declare the next minor.
#   tags50k              genrepo.sh's repository with a release at every one of 5,000
#                        commits (5,000 release tags) plus 45,000 ci-build-NNNNN tags:
#                        50,000 tags in packed-refs. The baseline is one commit back.
#   commits10k           genrepo.sh's repository with one release, at commit 10, and
#                        10,040 commits from there to HEAD (2,000 files).
#   files1m-nested       1,000,000 files in data/DD/DD/fNNNNNNN (100 × 100 folders),
#   files1m-flat         1,000,000 files in one folder, data/,
#   files200k-flat       200,000 files in one folder, data/: release lite-llm-base-v1.0.0,
#                        then HEAD changes one data file, adds a tier and declares 1.1.0.
set -euo pipefail

if [ "$#" -ne 2 ]; then
	echo "usage: $0 SHAPE DIR" >&2
	exit 2
fi
shape=$1
dir=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
	echo "genshape.sh: $dir exists and is not empty" >&2
	exit 2
fi
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

# Shared awk functions: commit headers, inline files, a manifest in JSON syntax.
# shellcheck disable=SC2016 # $-expressions below are awk's, not the shell's.
common='
function header(c, msg,   t) {
	t = 1700000000 + c * 3600
	printf "commit refs/heads/main\nmark :%d\n", c
	printf "author Bench Author <author@modelgate.invalid> %d +0000\n", t
	printf "committer Bench Author <author@modelgate.invalid> %d +0000\n", t
	printf "data <<EOM\n%s\nEOM\n", msg
}
function blob(path, content) { printf "M 100644 inline %s\ndata <<EOB\n%sEOB\n", path, content }
function manifest(id, tiers, lr) {
	return "{\n  \"model\": \"" id "\",\n  \"architecture\": {\"hidden_size\": 4096, \"num_layers\": 32, \"vocab_size\": 32000},\n" \
		"  \"tiers\": [" tiers "],\n  \"routing\": {\"strategy\": \"top-2\", \"capacity_factor\": 1.25},\n" \
		"  \"hyperparameters\": {\"learning_rate\": " lr ", \"optimizer\": \"adamw\"}\n}\n"
}
function notes(v, what) { return "# v" v "\n\n## Changes\n\n- " what "\n" }
'

models() { # N COMMITS EVERY
	# shellcheck disable=SC2016
	awk -v N="$1" -v COMMITS="$2" -v EVERY="$3" "$common"'
	function mdir(i) { return sprintf("models/m%03d", i) }
	function mname(i) { return sprintf("m%03d", i) }
	function core() { return "{\"name\": \"core\", \"experts\": 8}" }
	function libfile(n, rev) { return sprintf("def f%04d(x):\n    return x + %d\n", n, rev) }
	BEGIN {
		header(1, "initial import")
		cfg = "models:\n"
		for (i = 0; i < N; i++) {
			PA[i] = 0
			blob(mdir(i) "/manifest.yaml", manifest(mname(i) "-v1.0.0", core(), "3.0e-4"))
			blob(mdir(i) "/model.py", "# model " i "\nREVISION = 0\n")
			blob(mdir(i) "/releases/v1.0.0.md", notes("1.0.0", "first release"))
			cfg = cfg "  - " mdir(i) "/manifest.yaml\n"
		}
		blob(".modelgate.yaml", cfg)
		blob("README.md", "# many models\n")
		for (n = 0; n < 1000; n++) blob(sprintf("lib/f%04d.py", n), libfile(n, 0))
		for (i = 0; i < N; i++) printf "reset refs/tags/%s-v1.0.0\nfrom :1\n\n", mname(i)
		r = 0
		for (c = 2; c < COMMITS; c++) {
			if (c % EVERY != 0) {
				header(c, "library change")
				blob(sprintf("lib/f%04d.py", (c * 7919) % 1000), libfile((c * 7919) % 1000, c))
				continue
			}
			i = r % N; r++
			PA[i]++
			v = "1.0." PA[i]
			header(c, "release " mname(i) "-v" v)
			blob(mdir(i) "/model.py", "# model " i "\nREVISION = " PA[i] "\n")
			blob(mdir(i) "/manifest.yaml", manifest(mname(i) "-v" v, core(), "3.0e-4"))
			blob(mdir(i) "/releases/v" v ".md", notes(v, "bug fixes"))
			blob(sprintf("lib/f%04d.py", (c * 7919) % 1000), libfile((c * 7919) % 1000, c))
			if (r % 2) {
				printf "tag %s-v%s\nfrom :%d\n", mname(i), v, c
				printf "tagger Release Bot <release@modelgate.invalid> %d +0000\n", 1700000000 + c * 3600 + 60
				printf "data <<EOM\nrelease\nEOM\n"
			} else {
				printf "reset refs/tags/%s-v%s\nfrom :%d\n\n", mname(i), v, c
			}
		}
		header(COMMITS, "tiers added to m000-m002")
		for (i = 0; i < 3; i++) {
			blob(mdir(i) "/manifest.yaml", manifest(mname(i) "-v1.1.0", core() ", {\"name\": \"long-context\", \"experts\": 4}", "3.0e-4"))
			blob(mdir(i) "/releases/v1.1.0.md", notes("1.1.0", "tier long-context added"))
		}
		print "done"
	}'
}

# files COUNT nested|flat: the trees are written with git mktree --batch, not fast-import,
# whose trees are lists that a folder of 1,000,000 entries makes quadratic.
files() {
	local count=$1 layout=$2 sample changed base head
	git init -q "$dir"
	git -C "$dir" symbolic-ref HEAD refs/heads/main
	sample=$(printf 'sample\n' | git -C "$dir" hash-object -w --stdin)
	changed=$(printf 'changed\n' | git -C "$dir" hash-object -w --stdin)
	base=$(data_tree "$count" "$layout" "$sample" "" "")
	head=$(data_tree "$count" "$layout" "$sample" $((count / 2 + 7)) "$changed")
	commit_files 1 "$base" 1.0.0 "" "first release" >/dev/null
	git -C "$dir" tag lite-llm-base-v1.0.0 main
	commit_files 2 "$head" 1.1.0 ', {"name": "long-context", "experts": 4}' "tier long-context added" >/dev/null
}

# data_tree COUNT LAYOUT BLOB [N BLOB2]: the tree of data/, every file BLOB but file N
# BLOB2; nested: 100 folders of 100 folders of 100 files (for 1,000,000).
data_tree() {
	local count=$1 layout=$2 blob=$3 n=$4 blob2=$5
	if [ "$layout" = flat ]; then
		awk -v F="$count" -v B="$blob" -v N="$n" -v B2="$blob2" \
			'BEGIN { for (i = 0; i < F; i++) printf "100644 blob %s\tf%07d\n", (i == N ? B2 : B), i }' |
			git -C "$dir" mktree
		return
	fi
	# Leaves first (one batch, one tree a block), then the folders above them.
	awk -v F="$count" -v B="$blob" -v N="$n" -v B2="$blob2" \
		'BEGIN { for (l = 0; l < F / 100; l++) { for (i = l * 100; i < l * 100 + 100; i++) printf "100644 blob %s\tf%07d\n", (i == N ? B2 : B), i; print "" } }' |
		git -C "$dir" mktree --batch >"$dir/.leaves"
	awk 'NF { t[n++] = $1 } END { for (m = 0; m < n / 100; m++) { for (j = 0; j < 100; j++) printf "040000 tree %s\t%02d\n", t[m * 100 + j], j; print "" } }' "$dir/.leaves" |
		git -C "$dir" mktree --batch >"$dir/.mids"
	awk 'NF { printf "040000 tree %s\t%02d\n", $1, n++ }' "$dir/.mids" | git -C "$dir" mktree
	rm -f "$dir/.leaves" "$dir/.mids"
}

# commit_files N DATA_TREE VERSION EXTRA_TIERS WHAT: commit N on main: data/, the manifest
# and the release notes.
commit_files() {
	local n=$1 data=$2 v=$3 tiers=$4 what=$5 manifest notes releases root old parent=() c t
	manifest=$(printf '{\n  "model": "lite-llm-base-v%s",\n  "architecture": {"hidden_size": 4096, "num_layers": 32, "vocab_size": 32000},\n  "tiers": [{"name": "core", "experts": 8}%s],\n  "routing": {"strategy": "top-2", "capacity_factor": 1.25},\n  "hyperparameters": {"learning_rate": 3.0e-4, "optimizer": "adamw"}\n}\n' "$v" "$tiers" |
		git -C "$dir" hash-object -w --stdin)
	notes=$(printf '# v%s\n\n## Changes\n\n- %s\n' "$v" "$what" | git -C "$dir" hash-object -w --stdin)
	releases=$(printf '100644 blob %s\tv%s.md\n' "$notes" "$v" | git -C "$dir" mktree)
	if [ "$n" -gt 1 ]; then
		old=$(git -C "$dir" rev-parse "main:releases")
		releases=$({
			git -C "$dir" ls-tree "$old"
			printf '100644 blob %s\tv%s.md\n' "$notes" "$v"
		} | git -C "$dir" mktree)
		parent=(-p main)
	fi
	root=$(printf '040000 tree %s\tdata\n100644 blob %s\tmanifest.yaml\n040000 tree %s\treleases\n' "$data" "$manifest" "$releases" | git -C "$dir" mktree)
	t="@$((1700000000 + n * 3600)) +0000"
	c=$(GIT_AUTHOR_NAME="Bench Author" GIT_AUTHOR_EMAIL=author@modelgate.invalid GIT_AUTHOR_DATE=$t \
		GIT_COMMITTER_NAME="Bench Author" GIT_COMMITTER_EMAIL=author@modelgate.invalid GIT_COMMITTER_DATE=$t \
		git -C "$dir" commit-tree "$root" "${parent[@]}" -m "release lite-llm-base-v$v")
	git -C "$dir" update-ref refs/heads/main "$c"
	echo "$c"
}

import() { # a fast-import stream on stdin
	git init -q "$dir"
	git -C "$dir" symbolic-ref HEAD refs/heads/main
	git -C "$dir" fast-import --quiet --done
}

case $shape in
models50) models 50 2000 4 | import ;;
models500) models 500 4000 2 | import ;;
files1m-nested) files 1000000 nested ;;
files1m-flat) files 1000000 flat ;;
files200k-flat) files 200000 flat ;;
tags50k)
	COMMITS=5000 EVERY=1 FILES=1000 "$here/genrepo.sh" "$dir"
	git -C "$dir" rev-list --reverse main |
		awk '{ c[NR] = $1 } END { for (i = 1; i <= 45000; i++) printf "reset refs/tags/ci-build-%05d\nfrom %s\n\n", i, c[(i % NR) + 1]; print "done" }' |
		git -C "$dir" fast-import --quiet --done
	;;
commits10k) COMMITS=10050 EVERY=20000 FILES=2000 "$here/genrepo.sh" "$dir" ;;
*)
	echo "genshape.sh: unknown shape $shape (models50, models500, tags50k, commits10k, files1m-nested, files1m-flat, files200k-flat)" >&2
	exit 2
	;;
esac
git -C "$dir" gc --quiet
git -C "$dir" pack-refs --all
case $shape in
files*) ;; # no checkout: the gate reads git objects only
*) [ -f "$dir/manifest.yaml" ] || git -C "$dir" read-tree --reset -u HEAD ;;
esac
