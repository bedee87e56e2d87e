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
