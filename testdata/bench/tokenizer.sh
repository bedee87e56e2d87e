#!/usr/bin/env bash
# tokenizer.sh — benchmark `modelgate check` on a large-vocabulary Hugging Face folder:
# two revisions of a 35 MiB tokenizer.json (a byte-level BPE model of 250,000 tokens and
# 620,000 merges in the ["left", "right"] spelling of tokenizers 0.20 and later, indented
# as tokenizers writes it, vocabulary in id order) that differ in 100 token ids: 50 pairs
# of tokens swap ids (tokenizer-token-renumbered, major).
#
#   testdata/bench/tokenizer.sh
#
# Builds modelgate, generates a git repository (huggingface: ., release 1.0.0 tagged,
# 2.0.0 at HEAD with migration notes; packed with git gc) in a temporary folder, checks
# that modelgate passes with required bump major and exactly one finding, renumbered,
# counting 100 tokens, then times `modelgate check --format json` (hyperfine if
# installed, else a bash loop) and measures its peak memory with /usr/bin/time -v.
# Prints a markdown table on stdout; progress goes to stderr.
#
# Environment:
#   RUNS=10              timed runs
#   WARMUP=2             untimed runs before them
#   MODELGATE_BIN        use this modelgate binary instead of building one
#   BENCH_TIMER=loop     use the bash loop even when hyperfine is installed
#
# Needs git, go (unless MODELGATE_BIN is set) and GNU time (apt-get install -y time).
# Installs nothing. Exit 0 done, 1 a sanity check failed, 2 could not run.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${RUNS:-10}
warmup=${WARMUP:-2}

# shellcheck source=testdata/bench/lib.sh
. "$here/lib.sh"

command -v git >/dev/null || die "git is required"
[ -x /usr/bin/time ] || die "GNU time is required for the peak memory; install it with: apt-get install -y time"
check_counts "$runs" "$warmup"

# 1. modelgate
bench_setup "$root"

# 2. the tokenizer: token i is "Ġw" + i in base 36 (the first 256 are byte tokens
# <0xNN>); the head revision swaps the ids of 50 pairs spread over the vocabulary.
tokenizer_json() { # variant: base or head
	awk -v variant="$1" -v vocab=250000 -v merges=620000 '
	function b36(n,   s, d) { s = ""; do { d = n % 36; s = substr("0123456789abcdefghijklmnopqrstuvwxyz", d + 1, 1) s; n = int(n / 36) } while (n > 0); return s }
	function tok(i) { return i < 256 ? sprintf("<0x%02X>", i) : "Ġw" b36(i) }
	BEGIN {
		for (i = 0; i < vocab; i++) at[i] = i   # at[id] = the token with that id
		if (variant == "head") {
			step = int(vocab / 100)
			for (k = 0; k < 50; k++) { a = 300 + k * 2 * step; c = a + int(step / 2); at[a] = c; at[c] = a }
		}
		printf "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [\n    {\n      \"id\": %d,\n      \"content\": \"<|endoftext|>\",\n      \"single_word\": false,\n      \"lstrip\": false,\n      \"rstrip\": false,\n      \"normalized\": false,\n      \"special\": true\n    }\n  ],\n", vocab
		printf "  \"normalizer\": {\n    \"type\": \"NFC\"\n  },\n  \"pre_tokenizer\": {\n    \"type\": \"ByteLevel\",\n    \"add_prefix_space\": false,\n    \"trim_offsets\": true,\n    \"use_regex\": true\n  },\n"
		printf "  \"post_processor\": {\n    \"type\": \"ByteLevel\",\n    \"add_prefix_space\": true,\n    \"trim_offsets\": false,\n    \"use_regex\": true\n  },\n  \"decoder\": {\n    \"type\": \"ByteLevel\",\n    \"add_prefix_space\": true,\n    \"trim_offsets\": true,\n    \"use_regex\": true\n  },\n"
		printf "  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n    \"continuing_subword_prefix\": \"\",\n    \"end_of_word_suffix\": \"\",\n    \"fuse_unk\": false,\n    \"byte_fallback\": false,\n    \"ignore_merges\": false,\n    \"vocab\": {\n"
		for (id = 0; id < vocab; id++) printf "      \"%s\": %d%s\n", tok(at[id]), id, (id < vocab - 1 ? "," : "")
		printf "    },\n    \"merges\": [\n"
		for (m = 0; m < merges; m++) printf "      [\n        \"Ġw%s\",\n        \"x%s\"\n      ]%s\n", b36(m), b36(m % 977), (m < merges - 1 ? "," : "")
		printf "    ]\n  }\n}\n"
	}'
}

repo=$tmp/repo
say "generating the repository in $repo"
git init -q -b main "$repo"
g() { git -C "$repo" -c user.name=bench -c user.email=bench@modelgate.invalid "$@"; }
printf 'model: big-vocab-v1.0.0\nhuggingface: .\n' >"$repo/manifest.yaml"
printf '{\n  "eos_token": "<|endoftext|>",\n  "model_max_length": 131072,\n  "tokenizer_class": "PreTrainedTokenizerFast"\n}\n' >"$repo/tokenizer_config.json"
tokenizer_json base >"$repo/tokenizer.json"
g add -A
g commit -qm 'release 1.0.0'
g tag -a big-vocab-v1.0.0 -m 'release 1.0.0'
printf 'model: big-vocab-v2.0.0\nhuggingface: .\n' >"$repo/manifest.yaml"
tokenizer_json head >"$repo/tokenizer.json"
mkdir -p "$repo/releases"
printf '100 token ids re-numbered.\n\n## Migration\n\nPermute the embedding rows of old checkpoints.\n' >"$repo/releases/v2.0.0.md"
g add -A
g commit -qm 'renumber 100 tokens'
g gc -q
bytes=$(wc -c <"$repo/tokenizer.json" | tr -d ' ')
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
say "tokenizer.json: $bytes bytes ($mib MiB)"

# 3. sanity: the gate passes, major, one finding for the 100 renumbered tokens.
cmd=("$bin" check --repo "$repo" --format json)
rc=0
"${cmd[@]}" >"$tmp/out.json" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 0 ] || fail "'${cmd[*]}' exited $rc, expected 0: $(head -c 2000 "$tmp/err") $(head -c 2000 "$tmp/out.json")"
grep -q '"required_bump": "major"' "$tmp/out.json" || fail "required bump is not major: $(head -c 2000 "$tmp/out.json")"
nfind=$(grep -c '"rule": ' "$tmp/out.json" || true)
[ "$nfind" -eq 1 ] || fail "$nfind findings, expected 1: $(head -c 3000 "$tmp/out.json")"
grep -q '"rule": "tokenizer-token-renumbered"' "$tmp/out.json" || fail "the finding is not tokenizer-token-renumbered"
grep -q '"count": 100' "$tmp/out.json" || fail "the finding does not count 100 tokens"
say "$(grep '"message"' "$tmp/out.json" | sed 's/^ *"message": //' | cut -c1-200)"

# 4. time and memory
time_command "$runs" "$warmup" -- "${cmd[@]}" || exit

cat <<TABLE
### Tokenizer benchmark

tokenizer.json: $mib MiB ($bytes bytes) at both revisions, 250,000 tokens and 620,000 merges; 100 ids re-numbered; packed.
Machine: $(nproc 2>/dev/null || echo '?') CPUs, $(git --version). Timer: $bench_timer, $runs runs after $warmup warm-up.

| command | median (ms) | min–max (ms) | peak RSS (MiB) |
|---|---:|---:|---:|
| \`modelgate check --format json\` | $bench_med | $bench_lo–$bench_hi | $bench_peak_mib |
TABLE
