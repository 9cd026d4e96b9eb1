#!/usr/bin/env bash
# `npm run bench`: brings up a network of its own (build/bench-network, ports shifted by 600,
# the benchmark-only chaincode contract enabled, no gateways, no demo), drives it with bounded,
# self-stopping load from one process on loopback, prints the table and the ratios, writes
# bench/results/<timestamp>.json and .svg, and takes the network down (unless --keep-network).
# Usage: scripts/bench.sh [--keep-network] [bench options...]   (--help lists them)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/fabric.sh"

keep=0 args=() batch_timeouts=""
while (( $# )); do
  arg=$1
  case "$arg" in
    --keep-network) keep=1 ;;
    --batch-timeouts) batch_timeouts=${2:?--batch-timeouts needs a list, e.g. 100ms,250ms,500ms}; shift ;;
    --batch-timeouts=*) batch_timeouts=${arg#*=} ;;
    -h|--help)
      echo "Usage: $0 [--keep-network] [options]"
      echo "  brings up its own network (IL_HOME=build/bench-network, IL_PORT_OFFSET=600 unless set,"
      echo "  IL_BATCH_TIMEOUT / IL_BATCH_MAX_MESSAGES as for scripts/network.sh), runs the benchmark,"
      echo "  takes the network down unless --keep-network."
      echo "  --batch-timeouts LIST   one network and one run per orderer batch timeout (e.g."
      echo "                          100ms,250ms,500ms; default stages trivial,submit at 8,32,128),"
      echo "                          then the settings side by side"
      echo "Benchmark options:"
      echo
      ensure_node_modules
      ensure_build >/dev/null 2>&1 || ensure_build
      exec node "$REPO_ROOT/build/bench/src/main.js" --help ;;
    *) args+=("$arg") ;;
  esac
  shift
done

export IL_HOME="${IL_BENCH_HOME:-$REPO_ROOT/build/bench-network}"
export IL_PORT_OFFSET="${IL_PORT_OFFSET:-600}"
export IL_GATEWAYS=0 IL_SEED_DEMO=0 IL_BENCH_CONTRACT=1
export CONSENSUS="${CONSENSUS:-raft}"
source "$REPO_ROOT/scripts/lib/bench-network.sh"

start=$(now_ms)
ensure_node_modules
ensure_fabric_binaries
ensure_build

cd "$REPO_ROOT"
if [[ -n $batch_timeouts ]]; then
  # One fresh network per setting: the batch timeout is channel configuration.
  (( ${#args[@]} )) || args=(--stages trivial,submit --concurrency 8,32,128 --extend 0 --duration 10)
  files=() status=0
  trap 'bash scripts/network.sh down >/dev/null 2>&1 || true' EXIT
  IFS=, read -ra timeouts <<<"$batch_timeouts"
  for timeout in "${timeouts[@]}"; do
    [[ $timeout =~ ^[0-9]+(ms|s)$ ]] || die "not a batch timeout: '$timeout' (e.g. 100ms, 2s)"
    bash scripts/network.sh down >/dev/null 2>&1 || true
    log "bench network with batch timeout $timeout, max messages $IL_BATCH_MAX_MESSAGES"
    IL_BATCH_TIMEOUT=$timeout bash scripts/network.sh up >/dev/null
    out=$(IL_BATCH_TIMEOUT=$timeout IL_NETWORK_JSON="$IL_HOME/network.json" node "$REPO_ROOT/build/bench/src/main.js" \
      --label "batch $timeout/$IL_BATCH_MAX_MESSAGES" "${args[@]}" | tee /dev/stderr) || status=$?
    files+=("$(sed -n 's/^results: //p' <<<"$out" | tail -1)")
  done
  node "$REPO_ROOT/build/bench/src/compare.js" "${files[@]}"
  phase_done "batch timeout comparison" "$start"
  exit "$status"
fi
bench_network_up bench "$keep"

status=0
IL_NETWORK_JSON="$IL_HOME/network.json" node "$REPO_ROOT/build/bench/src/main.js" \
  --label "${IL_BENCH_LABEL:-batch $IL_BATCH_TIMEOUT/$IL_BATCH_MAX_MESSAGES}" "${args[@]}" || status=$?
phase_done "benchmark" "$start"
bench_network_kept "$keep"
exit "$status"
