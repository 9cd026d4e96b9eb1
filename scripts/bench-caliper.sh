#!/usr/bin/env bash
# `npm run bench:caliper`: the Hyperledger Caliper benchmark of impact-ledger (caliper-cli 0.6.0,
# fabric connector bound to fabric:2.4 = @hyperledger/fabric-gateway: every request goes through
# the Fabric Gateway service of its organisation's peer), installed in bench/caliper on first use.
# Rounds: trivial write (bench:Put), claim submission, verification vote, full workflow (submit,
# 2 votes, validation per claim; TPS counts its transactions).
# Runs against the bench network (build/bench-network, offset 600); brings one up (and down at
# the end) when none runs, e.g. reuse the one `npm run bench -- --keep-network` left.
# The HTML report lands in bench/results/caliper-<timestamp>.html.
# Usage: scripts/bench-caliper.sh [--keep-network] [--tx N] [--in-flight N]
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/fabric.sh"

keep=0 tx=600 inflight=32
while (( $# )); do
  case "$1" in
    --keep-network) keep=1 ;;
    --tx) tx=$2; shift ;;
    --in-flight) inflight=$2; shift ;;
    -h|--help)
      sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
      echo "  --tx N          transactions per round (default 600)"
      echo "  --in-flight N   requests in flight in all (fixed-load over 2 workers; full workflow: claims), default 32"
      echo "  --keep-network  leave a network this script started running"
      exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done

export IL_HOME="${IL_BENCH_HOME:-$REPO_ROOT/build/bench-network}"
export IL_PORT_OFFSET="${IL_PORT_OFFSET:-600}"
export IL_GATEWAYS=0 IL_SEED_DEMO=0 IL_BENCH_CONTRACT=1
CALIPER_DIR="$REPO_ROOT/bench/caliper"
OUT="$REPO_ROOT/build/caliper"

start=$(now_ms)
ensure_node_modules
ensure_fabric_binaries
ensure_build
if [[ ! -x "$CALIPER_DIR/node_modules/.bin/caliper" ]]; then
  log "installing Hyperledger Caliper into bench/caliper (first use)"
  # package.json already lists what `caliper bind --caliper-bind-sut fabric:2.4` adds
  # (@hyperledger/fabric-gateway, @grpc/grpc-js), pinned by the lock file.
  (cd "$CALIPER_DIR" && npm ci --no-audit --no-fund) >&2
fi

cd "$REPO_ROOT"
started_here=0
if [[ -f "$IL_HOME/network.json" ]]; then
  log "using the bench network in $IL_HOME"
  bash scripts/network.sh up >/dev/null
else
  log "starting a bench network in $IL_HOME"
  bash scripts/network.sh up
  started_here=1
fi
if (( started_here && ! keep )); then
  trap 'log "taking the bench network down"; bash scripts/network.sh down >/dev/null 2>&1 || true' EXIT
fi

node build/bench/src/caliper-setup.js "$IL_HOME/network.json" "$OUT" "$tx" "$inflight"
mkdir -p "$REPO_ROOT/bench/results"
report="$REPO_ROOT/bench/results/caliper-$(date -u +%Y-%m-%dT%H-%M-%SZ).html"
(cd "$CALIPER_DIR" && npx --no-install caliper launch manager \
  --caliper-workspace "$CALIPER_DIR" \
  --caliper-networkconfig "$OUT/networkconfig.yaml" \
  --caliper-benchconfig "$OUT/benchconfig.yaml" \
  --caliper-bind-sut fabric:2.4 \
  --caliper-flow-only-test \
  --caliper-report-path "$report" \
  --caliper-logging-targets-console-level info) 2>&1 | tee "$OUT/caliper.log" | grep -v '^\s*$' | grep -E 'Round|round|Succ|\| |error|Error|report|TPS|\[impact-ledger\]' || true
status=${PIPESTATUS[0]}
# Caliper counts a failed request in Fail without its cause; its fabric connector logs the cause.
# Summarise them per round, function and first cause (the full-workflow round retries the steps
# whose organisation's peer had not committed the previous block yet; commit status 11 = MVCC).
awk '
  /Started round [0-9]+ \(/ { round = $0; sub(/.*Started round [0-9]+ \(/, "", round); sub(/\).*/, "", round) }
  /Failed to perform submit transaction \[/ {
    if (pending) count[key " (no cause logged)"]++
    fn = $0; sub(/.*transaction \[/, "", fn); sub(/\].*/, "", fn); key = round " " fn; pending = 1
    if (match($0, /status code: [0-9]+/)) { count[key " (commit " substr($0, RSTART + 7, RLENGTH - 7) ")"]++; pending = 0 }
    next
  }
  pending && /^-  / {
    cause = $0
    if (match(cause, /"code":"[A-Z_]+"/)) cause = substr(cause, RSTART + 8, RLENGTH - 9); else sub(/^-  [^ ]*:[0-9]+:/, "", cause)
    count[key " (" cause ")"]++; pending = 0
  }
  END {
    if (pending) count[key " (no cause logged)"]++
    n = 0; for (k in count) n += count[k]
    if (n > 0) { print "failed requests (round, function, cause), " n " in all:"; for (k in count) printf "  %s: %d\n", k, count[k] }
  }' "$OUT/caliper.log"
[[ -f $report ]] && ok "Caliper report: ${report#"$REPO_ROOT/"}" || warn "no Caliper report written; see $OUT/caliper.log"
phase_done "Caliper benchmark" "$start"
exit "$status"
