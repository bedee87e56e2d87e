#!/usr/bin/env bash
# limits.sh — hostile-size inputs (issue 11, items 8-11): time and peak memory of
# `modelgate check` on each, to hold the README's "Limits" table to account.
#
#   testdata/bench/limits.sh            # every case
#   testdata/bench/limits.sh yaml-error-300k json-million-digits
#
# Cases (each a git repository: release 1.0.0 tagged, the input committed at HEAD):
#   yaml-error-300k        a YAML config of ~300 KB with a syntax error on its last lines
#   yaml-error-limit       the same at the YAML size limit
#   yaml-valid-2m          a valid YAML config of 2 MiB, every value changed (the
#                          size up to which YAML meets the targets; README "Limits")
#   yaml-valid-limit       a valid YAML config at the YAML size limit, every value changed
#   json-million-digits    a JSON number of a million digits (a fraction, out of range: exit 2)
#   json-million-digit-int the same as an integer (exact, a change)
#   config-100k-keys       a JSON config with 100,000 keys, every one changed
#   index-7mb-long-names   a 7 MB model.safetensors.index.json of long tensor names, ~1,000 changed
#
# Prints a markdown table on stdout (case, input size, exit status, wall time,
# CPU time (user + system), peak RSS, stderr bytes); progress and the load
# average go to stderr. Needs git, go (unless
# MODELGATE_BIN is set) and GNU time (apt-get install -y time). Installs
# nothing. The targets: under 2 s and 256 MiB each. Exit 0 done, 1 a case
# missed its exit status, 2 could not run.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=testdata/bench/lib.sh
. "$here/lib.sh"

[ -x /usr/bin/time ] || die "GNU time is required: apt-get install -y time"
command -v git >/dev/null || die "git is required"

bench_setup "$root"

# The largest YAML case: 4 MiB (README "Limits" says what holds up to the
# 16 MiB every file may have).
yaml_limit=$((4 << 20))

# repo NAME: a fresh repository with release 1.0.0 of a model whose
# architecture is the file config.EXT, committed and tagged.
repo() {
	local dir=$tmp/$1 ext=$2
	mkdir -p "$dir"
	git -C "$dir" init -q
	git -C "$dir" config user.name bench
	git -C "$dir" config user.email bench@example.invalid
	printf 'model: bench-v1.0.0\narchitecture: config.%s\n' "$ext" >"$dir/manifest.yaml"
	mkdir -p "$dir/releases"
	printf 'Bench release.\n\n## Migration\n\nRun python migrations/convert.py on old checkpoints.\n' >"$dir/releases/v2.0.0.md"
	mkdir -p "$dir/migrations"
	echo 'print("convert")' >"$dir/migrations/convert.py"
}

# commit DIR MSG [TAG]
commit() {
	git -C "$1" add -A
	git -C "$1" commit -qm "$2"
	if [ $# -gt 2 ]; then git -C "$1" tag -a "$3" -m "$3"; fi
}

# release2 DIR: declare 2.0.0 and commit the head.
release2() {
	sed -i 's/-v1.0.0/-v2.0.0/' "$1/manifest.yaml"
	commit "$1" head
}

# yaml_config N ITEM_PREFIX: about N bytes of YAML, one mapping per layer.
yaml_config() {
	awk -v n="$1" -v p="$2" 'BEGIN { s = 0; for (i = 0; s < n; i++) { l = sprintf("layer_%d:\n  hidden_size: %s%d\n  name: \"layer %d\"\n", i, p, i, i); printf "%s", l; s += length(l) } }'
}

# json_config N PREFIX: a JSON object of N keys.
json_config() {
	awk -v n="$1" -v p="$2" 'BEGIN { print "{"; for (i = 0; i < n; i++) printf "  \"key_%d\": %s%d%s\n", i, p, i, (i < n - 1 ? "," : ""); print "}" }'
}

# index N LEN VARIANT: a safetensors index of N tensors with names of about
# LEN characters; VARIANT 1 renames every 100th tensor.
index() {
	awk -v n="$1" -v len="$2" -v v="$3" 'BEGIN {
		pad = ""; for (i = 0; i < len; i++) pad = pad "x"
		print "{\n  \"metadata\": {\"total_size\": 1},\n  \"weight_map\": {"
		for (i = 0; i < n; i++) {
			name = sprintf("model.layers.%d.%s.block_%d.weight", int(i / 100), pad, i % 100)
			if (v == 1 && i % 100 == 7) name = name "_v2"
			printf "    \"%s\": \"model-%05d.safetensors\"%s\n", name, int(i / 1000), (i < n - 1 ? "," : "")
		}
		print "  }\n}"
	}'
}

setup() {
	local name=$1 dir=$tmp/$1
	case $name in
	yaml-error-300k | yaml-error-limit)
		local size=$((300 << 10))
		[ "$name" = yaml-error-limit ] && size=$((yaml_limit - 64))
		repo "$name" yaml
		yaml_config 1000 "" >"$dir/config.yaml"
		commit "$dir" base bench-v1.0.0
		yaml_config "$size" "" >"$dir/config.yaml"
		printf 'end:\n    misindented: 1\n  back: 2\n' >>"$dir/config.yaml"
		release2 "$dir"
		echo "$dir/config.yaml 2"
		;;
	yaml-valid-2m | yaml-valid-limit)
		local size=$((yaml_limit - 64))
		[ "$name" = yaml-valid-2m ] && size=$(((2 << 20) - 64))
		repo "$name" yaml
		yaml_config "$size" "" >"$dir/config.yaml"
		commit "$dir" base bench-v1.0.0
		yaml_config "$size" 1 >"$dir/config.yaml"
		release2 "$dir"
		echo "$dir/config.yaml 0"
		;;
	json-million-digits | json-million-digit-int)
		repo "$name" json
		printf '{"rope_theta": 10000}\n' >"$dir/config.json"
		commit "$dir" base bench-v1.0.0
		local frac=.5e400 want=2
		if [ "$name" = json-million-digit-int ]; then
			frac='' want=0
		fi
		{
			printf '{"rope_theta": '
			head -c 1000000 /dev/zero | tr '\0' 7
			printf '%s}\n' "$frac"
		} >"$dir/config.json"
		release2 "$dir"
		echo "$dir/config.json $want"
		;;
	config-100k-keys)
		repo "$name" json
		json_config 100000 "" >"$dir/config.json"
		commit "$dir" base bench-v1.0.0
		json_config 100000 1 >"$dir/config.json"
		release2 "$dir"
		echo "$dir/config.json 0"
		;;
	index-7mb-long-names)
		repo "$name" yaml
		printf 'model: bench-v1.0.0\ntensors: model.safetensors.index.json\n' >"$dir/manifest.yaml"
		index 35000 160 0 >"$dir/model.safetensors.index.json"
		commit "$dir" base bench-v1.0.0
		index 35000 160 1 >"$dir/model.safetensors.index.json"
		release2 "$dir"
		echo "$dir/model.safetensors.index.json 0"
		;;
	*) die "unknown case $name" ;;
	esac
}

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	cases=(yaml-error-300k yaml-error-limit yaml-valid-2m yaml-valid-limit json-million-digits json-million-digit-int config-100k-keys index-7mb-long-names)
fi

status=0
echo "==> load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
echo "| case | input | exit | wall (s) | cpu (s) | peak RSS (MiB) | stderr (bytes) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for c in "${cases[@]}"; do
	echo "==> $c: generating" >&2
	read -r file want < <(setup "$c")
	size=$(wc -c <"$file")
	echo "==> $c: modelgate check" >&2
	set +e
	(cd "$tmp/$c" && /usr/bin/time -v -o "$tmp/$c.time" "$bin" check --format json >"$tmp/$c.out" 2>"$tmp/$c.err")
	code=$?
	set -e
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$tmp/$c.time")
	cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { printf "%.2f", s }' "$tmp/$c.time")
	rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$tmp/$c.time")
	errbytes=$(wc -c <"$tmp/$c.err")
	echo "| \`$c\` | $(awk -v b="$size" 'BEGIN { printf "%.1f MB", b / 1e6 }') | $code | $wall | $cpu | $rss | $errbytes |"
	if { [ "$want" = 0 ] && [ "$code" -gt 1 ]; } || { [ "$want" = 2 ] && [ "$code" != 2 ]; }; then
		echo "limits.sh: $c: exit status $code, want $want; stderr: $(head -c 300 "$tmp/$c.err")" >&2
		status=1
	fi
done
exit "$status"
