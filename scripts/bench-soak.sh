#!/usr/bin/env bash
# `npm run bench:soak`: brings up a network of its own (build/soak-network, ports shifted by 650,
# no gateways of network.sh, no demo), runs the full workflow through one HTTP gateway process per
# organisation at a fixed claim rate for --minutes (default 30), samples the resident memory of
# every process every minute, checks every acknowledged transaction on every peer, prints the
# verdicts, writes bench/results/soak-<timestamp>.json and .svg, and takes the network down
# (unless --keep-network).
# Usage: scripts/bench-soak.sh [--keep-network] [soak options...]   (--help lists them)
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/fabric.sh"

keep=0 args=()
for arg in "$@"; do
  case "$arg" in
    --keep-network) keep=1 ;;
    -h|--help)
      echo "Usage: $0 [--keep-network] [options]"
      echo "  brings up its own network (IL_HOME=build/soak-network unless IL_SOAK_HOME is set, IL_PORT_OFFSET=650"
      echo "  unless set, IL_BATCH_TIMEOUT / IL_BATCH_MAX_MESSAGES as for scripts/network.sh), runs the soak,"
      echo "  takes the network down unless --keep-network. Soak options:"
      echo
      ensure_node_modules
      ensure_build >/dev/null 2>&1 || ensure_build
      exec node "$REPO_ROOT/build/bench/src/soak.js" --help ;;
    *) args+=("$arg") ;;
  esac
done

export IL_HOME="${IL_SOAK_HOME:-$REPO_ROOT/build/soak-network}"
export IL_PORT_OFFSET="${IL_PORT_OFFSET:-650}"
export IL_GATEWAYS=0 IL_SEED_DEMO=0
export CONSENSUS="${CONSENSUS:-raft}"
source "$REPO_ROOT/scripts/lib/bench-network.sh"

start=$(now_ms)
ensure_node_modules
ensure_fabric_binaries
ensure_build

cd "$REPO_ROOT"
bench_network_up soak "$keep"

status=0
IL_NETWORK_JSON="$IL_HOME/network.json" node "$REPO_ROOT/build/bench/src/soak.js" \
  --label "${IL_BENCH_LABEL:-batch $IL_BATCH_TIMEOUT/$IL_BATCH_MAX_MESSAGES}" "${args[@]}" || status=$?
phase_done "soak" "$start"
bench_network_kept "$keep"
exit "$status"
