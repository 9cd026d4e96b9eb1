# shellcheck shell=bash
# The network of a benchmark (scripts/bench.sh, scripts/bench-soak.sh): its orderer batch
# settings exported for the results (their defaults live in topology.sh), brought up fresh or
# reused (--keep-network), taken down when the script exits unless kept.
# Source after common.sh, with IL_HOME, IL_PORT_OFFSET and CONSENSUS exported.

source "$REPO_ROOT/scripts/lib/topology.sh"
export IL_BATCH_TIMEOUT="$BATCH_TIMEOUT" IL_BATCH_MAX_MESSAGES="$BATCH_MAX_MESSAGES"

# bench_network_up WHAT KEEP: a fresh network (WHAT names it in the log), or the one KEEP=1 left.
bench_network_up() {
  local what=$1 keep=$2
  cd "$REPO_ROOT"
  if [[ -f "$IL_HOME/network.json" && $keep == 1 ]]; then
    log "reusing the $what network in $IL_HOME (started again where stopped)"
    bash scripts/network.sh up
  else
    bash scripts/network.sh down >/dev/null 2>&1 || true
    log "$what network: $CONSENSUS, offset $IL_PORT_OFFSET, batch timeout $IL_BATCH_TIMEOUT, max messages $IL_BATCH_MAX_MESSAGES"
    bash scripts/network.sh up
  fi
  # shellcheck disable=SC2064  # $what is meant to be expanded now
  (( keep )) || trap "log 'taking the $what network down'; bash scripts/network.sh down >/dev/null 2>&1 || true" EXIT
}

# bench_network_kept KEEP: says how to take down a network kept running.
bench_network_kept() {
  (( $1 )) && log "network left running: IL_HOME=$IL_HOME IL_PORT_OFFSET=$IL_PORT_OFFSET bash scripts/network.sh down"
  return 0
}
