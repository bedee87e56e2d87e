#!/usr/bin/env bash
# baseline.sh DIR — what `modelgate check --repo DIR` reads, done with the git CLI and
# jq: the reference point of the benchmark (see run.sh).
#
#   1. HEAD:manifest.yaml            -> model name and declared version
#   2. git tag --merged HEAD         -> baseline = highest stable <name>-v<X.Y.Z> tag
#                                       reachable from HEAD
#   3. git rev-parse                 -> baseline and head commits; is the declared
#                                       version already tagged?
#   4. <tag>:manifest.yaml           -> baseline manifest
#   5. git diff --name-only TAG HEAD -> did any other file of the model change (patch)
#   6. HEAD:releases/v<V>.md         -> notes exist, are not empty, have "Migration"
#                                       for a major bump
# The manifests are read as JSON (the benchmark repository writes manifest.yaml in
# JSON syntax, which is valid YAML), diffed with jq: architecture changed or a tier
# removed/shrunk -> major; tier added/grown or routing changed -> minor; other files
# -> patch; hyperparameters -> none.
#
# Prints the baseline tag, the bump and the verdict. Exit 0 pass, 1 fail, 2 error.
set -euo pipefail

if [ "$#" -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
repo=$1
g() { git -C "$repo" "$@"; }

head_json=$(g show HEAD:manifest.yaml)
id=$(jq -r '.model // empty' <<<"$head_json")
# The version starts at the LAST -v followed by a semantic version.
if [[ ! $id =~ ^(.*)-v([0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?)$ ]]; then
	echo "error: manifest.yaml: model \"$id\" is not <name>-v<semver>" >&2
	exit 2
fi
name=${BASH_REMATCH[1]}
declared=${BASH_REMATCH[2]}

tags=$(g tag --merged HEAD --list "$name-v*" --sort=-v:refname)
base_tag=$(awk -v p="$name-v" 'index($0, p) == 1 && substr($0, length(p) + 1) ~ /^[0-9]+\.[0-9]+\.[0-9]+$/ { print; exit }' <<<"$tags")

head_commit=$(g rev-parse HEAD)
problems=()
if existing=$(g rev-parse -q --verify "refs/tags/$name-v$declared^{commit}"); then
	[ "$existing" = "$head_commit" ] || problems+=("version-exists: $name-v$declared is already tagged at $existing")
fi

if [ -n "$base_tag" ]; then
	base_commit=$(g rev-parse "$base_tag^{commit}")
	base_json=$(g show "$base_tag:manifest.yaml")
	changed=$(g diff --name-only "$base_tag" HEAD)
else
	base_commit=""
	base_json=null
	changed=""
fi

# One jq program (jq 1.6 takes ~35 ms to start, so call it as few times as possible):
# findings, required bump and version, version problems.
report=$(jq -n -r --argjson b "$base_json" --argjson h "$head_json" --arg changed "$changed" --arg declared "$declared" '
	def rank: {"none": 0, "patch": 1, "minor": 2, "major": 3}[.];
	def ver: split("-")[0] | split("+")[0] | split(".") | map(tonumber);
	def tiers: (.tiers // []) | map({key: .name, value: .experts}) | from_entries;
	($declared | ver) as $dv
	| if $b == null then
		{bump: "none", required: $declared, findings: ["first release: no baseline tag"], problems: []}
	  else
		($b.model | capture("-v(?<v>[0-9]+[.][0-9]+[.][0-9]+)$").v) as $bv
		| ($b | tiers) as $bt | ($h | tiers) as $ht
		| [
			( ($b.architecture // {}) as $ba | ($h.architecture // {}) as $ha
			  | (($ba | keys) + ($ha | keys) | unique[]) as $k
			  | select($ba[$k] != $ha[$k])
			  | {bump: "major", msg: "architecture.\($k): \($ba[$k] | tojson) -> \($ha[$k] | tojson)"} ),
			( $bt | keys[] as $t | select($ht[$t] == null) | {bump: "major", msg: "tier \($t) removed"} ),
			( $ht | keys[] as $t | select($bt[$t] == null) | {bump: "minor", msg: "tier \($t) added"} ),
			( $ht | keys[] as $t | select($bt[$t] != null and $ht[$t] != $bt[$t])
			  | {bump: (if $ht[$t] < $bt[$t] then "major" else "minor" end), msg: "tier \($t) experts \($bt[$t]) -> \($ht[$t])"} ),
			( select($b.routing != $h.routing) | {bump: "minor", msg: "routing changed"} ),
			( select($b.hyperparameters != $h.hyperparameters) | {bump: "none", msg: "hyperparameters changed"} ),
			( [$changed | split("\n")[] | select(. != "" and . != "manifest.yaml" and (startswith("releases/") | not))]
			  | select(length > 0) | {bump: "patch", msg: "\(length) other files changed"} )
		  ] as $f
		| ([$f[].bump | rank] | max // 0) as $r
		| ({"0": "none", "1": "patch", "2": "minor", "3": "major"}[$r | tostring]) as $bump
		| ($bv | ver) as $bvv
		| (if $r == 3 then [$bvv[0] + 1, 0, 0] elif $r == 2 then [$bvv[0], $bvv[1] + 1, 0]
		   elif $r == 1 then [$bvv[0], $bvv[1], $bvv[2] + 1] else $bvv end) as $req
		| {bump: $bump, required: ($req | map(tostring) | join(".")), findings: [$f[] | "[\(.bump)] \(.msg)"],
		   problems: [
			(select($dv < $req) | "version-too-small: declared \($declared), the changes require at least \($req | map(tostring) | join("."))"),
			(select($r > 0 and $dv == $bvv) | "version-not-bumped"),
			(select($dv < $bvv) | "version-decreased")
		   ]}
	  end
	| "base_model=\($b.model // "")", "bump=\(.bump)", "required=\(.required)", (.findings[] | "finding=\(.)"), (.problems[] | "problem=\(.)")')

findings=()
base_model=""
while IFS= read -r line; do
	case $line in
	base_model=*) base_model=${line#base_model=} ;;
	bump=*) bump=${line#bump=} ;;
	required=*) required=${line#required=} ;;
	finding=*) findings+=("${line#finding=}") ;;
	problem=*) problems+=("${line#problem=}") ;;
	esac
done <<<"$report"

if [ -n "$base_tag" ] && [ "${base_model%-v*}" != "$name" ]; then
	problems+=("model-renamed: ${base_model%-v*} -> $name")
fi

notes=releases/v$declared.md
if g cat-file -e "HEAD:$notes" 2>/dev/null; then
	body=$(g cat-file blob "HEAD:$notes")
	if [ -z "${body//[[:space:]]/}" ]; then
		problems+=("release-notes-empty: $notes")
	elif [ "$bump" = major ] && ! grep -qiE '^#+ .*migration' <<<"$body"; then
		problems+=("release-notes-no-migration: $notes")
	fi
else
	problems+=("release-notes-missing: $notes")
	notes=""
fi

echo "baseline: ${base_tag:-none} ${base_commit}"
echo "head: HEAD $head_commit"
echo "declared: $declared"
echo "required: $bump -> $required"
[ "${#findings[@]}" -eq 0 ] || printf 'finding: %s\n' "${findings[@]}"
echo "notes: ${notes:-none}"
if [ "${#problems[@]}" -gt 0 ]; then
	printf 'problem: %s\n' "${problems[@]}"
	echo "verdict: FAIL"
	exit 1
fi
echo "verdict: PASS"
