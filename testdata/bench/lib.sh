# shellcheck shell=bash
# Shared by the benchmark scripts (sourced, not run).

# modelgate_binary ROOT TMP prints the path of the modelgate to time:
# $MODELGATE_BIN when set, else a binary built from ROOT into TMP. Progress
# goes to stderr; it returns 2 when there is nothing to time.
modelgate_binary() {
	local root=$1 tmp=$2 bin
	if [ -n "${MODELGATE_BIN:-}" ]; then
		bin=$(command -v "$MODELGATE_BIN") || { echo "MODELGATE_BIN=$MODELGATE_BIN is not an executable" >&2; return 2; }
		[[ $bin == /* ]] || bin=$PWD/$bin
		echo "==> using $bin" >&2
	else
		command -v go >/dev/null || { echo "go is required to build modelgate (or set MODELGATE_BIN)" >&2; return 2; }
		echo "==> building modelgate in $root" >&2
		(cd "$root" && go build -o "$tmp/modelgate" .) >&2 || { echo "go build failed in $root" >&2; return 2; }
		bin=$tmp/modelgate
	fi
	printf '%s\n' "$bin"
}

# bench_setup ROOT sets the globals tmp, a new temporary folder removed when
# the script exits, and bin, the modelgate to time (see modelgate_binary); it
# exits 2 when there is none.
bench_setup() {
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	bin=$(modelgate_binary "$1" "$tmp") || exit 2
}

# die, fail and say report on stderr, prefixed with the script's name: die MSG
# exits 2 (could not run), fail MSG exits 1 (a sanity check failed), say MSG
# prints a progress line "==> MSG".
die() {
	echo "${0##*/}: $*" >&2
	exit 2
}
fail() {
	echo "${0##*/}: $*" >&2
	exit 1
}
say() { echo "==> $*" >&2; }

# check_counts RUNS WARMUP dies unless RUNS is a positive and WARMUP a
# non-negative integer.
check_counts() {
	[[ $1 =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$1'"
	[[ $2 =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer, got '$2'"
}

# median_ms FILE reads microseconds, one a line, and prints "median min max" in
# milliseconds with one decimal.
median_ms() {
	sort -n "$1" | awk '{ a[NR] = $1 } END {
		m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%.1f %.1f %.1f\n", m / 1000, a[1] / 1000, a[NR] / 1000 }'
}

# now_us prints the wall clock in microseconds.
now_us() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		echo "${EPOCHREALTIME//[.,]/}"
	else
		echo $(($(date +%s%N) / 1000))
	fi
}

# time_loop OUT RUNS WARMUP CMD... runs CMD WARMUP times untimed, then RUNS
# times timed, and writes the wall time of each timed run in microseconds, one
# a line, to OUT. CMD's output is discarded; it returns 1 as soon as a run fails.
time_loop() {
	local out=$1 runs=$2 warmup=$3 i t0 t1
	shift 3
	for ((i = 0; i < warmup; i++)); do "$@" >/dev/null 2>&1 || return 1; done
	: >"$out"
	for ((i = 0; i < runs; i++)); do
		t0=$(now_us)
		"$@" >/dev/null 2>&1 || return 1
		t1=$(now_us)
		echo $((t1 - t0)) >>"$out"
	done
}

# peak_rss_mib N CMD... runs CMD N times under GNU time (/usr/bin/time -v) and
# prints the largest maximum resident set size in MiB with one decimal. It
# returns 1 when a run fails.
peak_rss_mib() {
	local n=$1 i kb peak=0 log
	shift
	log=$(mktemp) || return 1
	for ((i = 0; i < n; i++)); do
		/usr/bin/time -v "$@" >/dev/null 2>"$log" || { rm -f "$log"; return 1; }
		kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
		[ "$kb" -gt "$peak" ] && peak=$kb
	done
	rm -f "$log"
	awk -v k="$peak" 'BEGIN { printf "%.1f\n", k / 1024 }'
}

# time_command RUNS WARMUP -- CMD... times CMD with hyperfine when it is
# installed and BENCH_TIMER is not "loop", else with time_loop, then measures
# its peak memory over 3 runs with peak_rss_mib. It sets these globals:
#   bench_med bench_lo bench_hi   median, min and max wall time in ms
#   bench_peak_mib                peak RSS in MiB
#   bench_timer                   "hyperfine VERSION" or "bash loop"
# Progress goes to stderr. It returns 2 when hyperfine fails, 1 when a run of
# CMD fails.
# shellcheck disable=SC2034 # the bench_ globals are the result, read by the caller
time_command() {
	local runs=$1 warmup=$2 dir
	shift 2
	[ "${1:-}" = -- ] && shift
	dir=$(mktemp -d) || return 2
	if command -v hyperfine >/dev/null && [ "${BENCH_TIMER:-}" != loop ]; then
		bench_timer="hyperfine $(hyperfine --version | awk '{ print $2 }')"
		say "timing with $bench_timer: $runs runs"
		hyperfine --runs "$runs" --warmup "$warmup" --style basic -N --export-csv "$dir/hf.csv" \
			"$(printf '%q ' "$@")" >&2 || { echo "hyperfine failed" >&2; rm -rf "$dir"; return 2; }
		# command,mean,stddev,median,user,system,min,max (seconds)
		read -r bench_med bench_lo bench_hi < <(awk -F, 'NR == 2 { printf "%.1f %.1f %.1f\n", $4 * 1000, $7 * 1000, $8 * 1000 }' "$dir/hf.csv")
	else
		bench_timer="bash loop"
		say "timing with a bash loop: $runs runs"
		time_loop "$dir/us" "$runs" "$warmup" "$@" || { echo "$* failed" >&2; rm -rf "$dir"; return 1; }
		read -r bench_med bench_lo bench_hi < <(median_ms "$dir/us")
	fi
	rm -rf "$dir"
	bench_peak_mib=$(peak_rss_mib 3 "$@") || { echo "$* failed under /usr/bin/time" >&2; return 1; }
}
