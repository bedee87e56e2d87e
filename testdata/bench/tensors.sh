#!/usr/bin/env bash
# tensors.sh — benchmark `modelgate check` on tensor evidence at DeepSeek-V3 scale:
# two model.safetensors.index.json files of 101,333 and 101,405 tensors (68 layers:
# 3 dense, 65 mixture-of-experts layers of 256 routed experts, each with
# {gate,up,down}_proj weights and FP8 scales, plus attention, norms and shared
# experts) that differ in a few hundred entries:
#   experts 256-257 added to layers 10-19      120 tensors  (tensor-added, minor)
#   expert 255 dropped from layers 60-67        48 tensors  (tensor-removed, major)
#   400 tensors of layer 40 moved to shard 163              (resharding: no finding)
#
#   testdata/bench/tensors.sh
#
# Builds modelgate, generates a git repository (release 1.0.0 tagged, 2.0.0 at HEAD with
# migration notes; packed with git gc) in a temporary folder, checks that modelgate
# passes with required bump major and exactly the two grouped findings, then times
# `modelgate check --format json` (hyperfine if installed, else a bash loop) and measures
# its peak memory with /usr/bin/time -v. Prints a markdown table on stdout; progress
# goes to stderr.
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

# 2. the indexes: one "name shard" line per tensor, sorted as transformers writes them.
names() { # variant: base or head
	awk -v variant="$1" 'BEGIN {
		layers = 68; n = 0
		add("model.embed_tokens.weight")
		for (l = 0; l < layers; l++) {
			p = "model.layers." l "."
			add(p "input_layernorm.weight"); add(p "post_attention_layernorm.weight")
			add(p "self_attn.q_a_layernorm.weight"); add(p "self_attn.kv_a_layernorm.weight")
			split("q_a_proj q_b_proj kv_a_proj_with_mqa kv_b_proj o_proj", attn, " ")
			for (i = 1; i <= 5; i++) { add(p "self_attn." attn[i] ".weight"); add(p "self_attn." attn[i] ".weight_scale_inv") }
			split("gate_proj up_proj down_proj", proj, " ")
			if (l < 3) {
				for (i = 1; i <= 3; i++) { add(p "mlp." proj[i] ".weight"); add(p "mlp." proj[i] ".weight_scale_inv") }
				continue
			}
			add(p "mlp.gate.weight"); add(p "mlp.gate.e_score_correction_bias")
			top = (variant == "head" && l >= 10 && l < 20) ? 258 : 256
			for (e = 0; e < top; e++) {
				if (variant == "head" && e == 255 && l >= 60) continue
				for (i = 1; i <= 3; i++) {
					add(p "mlp.experts." e "." proj[i] ".weight"); add(p "mlp.experts." e "." proj[i] ".weight_scale_inv")
				}
			}
			for (i = 1; i <= 3; i++) { add(p "mlp.shared_experts." proj[i] ".weight"); add(p "mlp.shared_experts." proj[i] ".weight_scale_inv") }
		}
		add("model.norm.weight"); add("lm_head.weight")
	}
	function add(name,   shard) {
		shard = sprintf("model-%05d-of-000163.safetensors", int(n / 620) + 1)
		if (variant == "head" && index(name, "model.layers.40.mlp.experts.") == 1 && moved < 400) { shard = "model-00163-of-000163.safetensors"; moved++ }
		printf "%s %s\n", name, shard
		n++
	}' | sort
}
index_json() { # variant
	names "$1" | awk 'BEGIN { printf "{\n  \"metadata\": {\n    \"total_size\": 688586727753\n  },\n  \"weight_map\": {\n" }
		{ printf "%s    \"%s\": \"%s\"", (NR > 1 ? ",\n" : ""), $1, $2 }
		END { printf "\n  }\n}\n" }'
}

repo=$tmp/repo
say "generating the repository in $repo"
git init -q -b main "$repo"
g() { git -C "$repo" -c user.name=bench -c user.email=bench@modelgate.invalid "$@"; }
manifest() {
	printf 'model: deepseek-moe-v%s\narchitecture: config.json\ntensors: model.safetensors.index.json\nmigrations: migrations/\n' "$1"
}
printf '{\n  "model_type": "deepseek_v3",\n  "hidden_size": 7168,\n  "n_routed_experts": 256\n}\n' >"$repo/config.json"
manifest 1.0.0 >"$repo/manifest.yaml"
index_json base >"$repo/model.safetensors.index.json"
g add -A
g commit -qm 'release 1.0.0'
g tag -a deepseek-moe-v1.0.0 -m 'release 1.0.0'
manifest 2.0.0 >"$repo/manifest.yaml"
index_json head >"$repo/model.safetensors.index.json"
mkdir -p "$repo/releases" "$repo/migrations"
printf 'Experts 256-257 in layers 10-19; expert 255 dropped from layers 60-67.\n\n## Migration\n\nRun migrations/drop_255.py on old checkpoints.\n' >"$repo/releases/v2.0.0.md"
printf 'print("drop expert 255")\n' >"$repo/migrations/drop_255.py"
g add -A
g commit -qm 'experts'
g gc -q
nbase=$(git -C "$repo" show deepseek-moe-v1.0.0:model.safetensors.index.json | grep -c '"model\.\|"lm_head')
nhead=$(grep -c '"model\.\|"lm_head' "$repo/model.safetensors.index.json")
bytes=$(wc -c <"$repo/model.safetensors.index.json" | tr -d ' ')

# 3. sanity: the gate passes, major, one finding per group.
cmd=("$bin" check --repo "$repo" --format json)
rc=0
"${cmd[@]}" >"$tmp/out.json" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 0 ] || fail "'${cmd[*]}' exited $rc, expected 0: $(head -c 2000 "$tmp/err") $(head -c 2000 "$tmp/out.json")"
grep -q '"required_bump": "major"' "$tmp/out.json" || fail "required bump is not major: $(head -c 2000 "$tmp/out.json")"
nfind=$(grep -c '"rule": "tensor-' "$tmp/out.json" || true)
[ "$nfind" -eq 2 ] || fail "$nfind tensor findings, expected 2 (one added group, one removed group)"
say "$(grep '"message"' "$tmp/out.json" | sed 's/^ *"message": //')"

# 4. time and memory
time_command "$runs" "$warmup" -- "${cmd[@]}" || exit

cat <<TABLE
### Tensor evidence benchmark

Indexes: $nbase tensors at the baseline, $nhead at HEAD ($bytes bytes), packed.
Machine: $(nproc 2>/dev/null || echo '?') CPUs, $(git --version). Timer: $bench_timer, $runs runs after $warmup warm-up.

| command | median (ms) | min–max (ms) | peak RSS (MiB) |
|---|---:|---:|---:|
| \`modelgate check --format json\` | $bench_med | $bench_lo–$bench_hi | $bench_peak_mib |
TABLE
