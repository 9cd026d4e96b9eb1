# shellcheck shell=bash
# Starting, stopping and asking the network's processes. Each process is started detached,
# its pid recorded in $PID_DIR/NAME.pid and its output appended to $LOG_DIR/NAME.log.
# Source after topology.sh and fabric.sh.

pid_file() { echo "$PID_DIR/$1.pid"; }
log_file() { echo "$LOG_DIR/$1.log"; }

node_pid() {
  local f
  f=$(pid_file "$1")
  [[ -f $f ]] && cat "$f"
}

# True when NAME's recorded process is alive and is the program we started (not a reused pid).
node_alive() {
  local pid
  pid=$(node_pid "$1") || return 1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  grep -qz "^IL_NODE=$1\$" "/proc/$pid/environ" 2>/dev/null
}

# spawn NAME COMMAND...: runs COMMAND detached (own session, survives the caller) with
# IL_NODE=NAME in its environment, so node_alive can recognise it.
spawn() {
  local name=$1; shift
  mkdir -p "$PID_DIR" "$LOG_DIR"
  printf '\n==== %s starting %s\n' "$(date -Is)" "$name" >> "$(log_file "$name")"
  IL_NODE="$name" setsid "$@" >> "$(log_file "$name")" 2>&1 < /dev/null &
  echo $! > "$(pid_file "$name")"
}

# stop_nodes SIGNAL NAME...: signals every named running process at once, waits up to 10 s
# for all of them to exit, then kills what is left. Prints how many were running.
stop_nodes() {
  local signal=$1 name pid i count=0 pids=(); shift
  for name in "$@"; do
    if node_alive "$name"; then
      pid=$(node_pid "$name")
      kill "-$signal" "$pid" 2>/dev/null || true
      pids+=("$pid")
      count=$(( count + 1 ))
    fi
    rm -f "$(pid_file "$name")"
  done
  for i in $(seq 1 100); do
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && break; pid=''; done
    [[ -z ${pid:-} ]] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      warn "pid $pid ignored SIG$signal for 10s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  echo "$count"
}

# stop_node NAME [SIGNAL]: stops one recorded process and waits for it to exit.
stop_node() {
  stop_nodes "${2:-TERM}" "$1" >/dev/null
}

# wait_node NAME TIMEOUT COMMAND...: like wait_for, but gives up at once, showing the end of
# NAME's log, when NAME's process has exited.
wait_node() {
  local name=$1 timeout=$2; shift 2
  wait_for "$name" "$timeout" _alive_and "$name" "$@" && return 0
  if ! node_alive "$name"; then
    warn "$name exited; the end of $(log_file "$name"):"
    tail -n 15 "$(log_file "$name")" >&2 || true
  fi
  return 1
}

# Succeeds when COMMAND succeeds; stops wait_for's polling (by exiting its loop) when NAME died.
_alive_and() {
  local name=$1; shift
  "$@" && return 0
  node_alive "$name" || WAIT_FOR_ABORT=1
  return 1
}

healthz() { curl -fsS --max-time 2 "http://$1/healthz"; }  # ADDRESS:PORT

# node_settings TEMPLATE NAME=VALUE...: the KEY=VALUE lines of a node's settings template, filled.
node_settings() {
  render_template "$@" | grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$'
}

# The settings of orderer I (KEY=VALUE lines, its whole environment): what start_orderer runs it
# with and what `network.sh env orderer` writes for a host of its own.
orderer_settings() {  # INDEX
  local i=$1
  echo "FABRIC_CFG_PATH=$FABRIC_SAMPLECONFIG"
  node_settings "$REPO_ROOT/network/nodes/orderer.env.tmpl" \
    LOGGING="${IL_ORDERER_LOGGING:-info:grpc=error}" LISTEN_HOST="$(orderer_address)" NODE_DIR="$(orderer_dir "$i")" \
    PORT="$(orderer_port "$i")" ADMIN_PORT="$(orderer_admin_port "$i")" OPS_PORT="$(orderer_ops_port "$i")" \
    LEDGER="$LEDGER_DIR/$(orderer_name "$i")"
}

start_orderer() {  # INDEX
  local i=$1 settings
  mkdir -p "$LEDGER_DIR/$(orderer_name "$i")"
  mapfile -t settings < <(orderer_settings "$i")
  spawn "$(orderer_name "$i")" env "${settings[@]}" "$FABRIC_BIN/orderer"
}

# The settings of org J's peer (KEY=VALUE lines), as for orderer_settings.
peer_settings() {  # ORG_INDEX
  local j=$1
  echo "FABRIC_CFG_PATH=$FABRIC_SAMPLECONFIG"
  node_settings "$REPO_ROOT/network/nodes/peer.env.tmpl" \
    LOGGING="${IL_PEER_LOGGING:-info:grpc=error}" LISTEN_HOST="$(org_address "$j")" NODE_DIR="$(peer_dir "$j")" \
    PEER_HOST="$(peer_host "$j")" MSP="$(org_msp "$j")" PORT="$(peer_port "$j")" CC_PORT="$(peer_cc_port "$j")" \
    OPS_PORT="$(peer_ops_port "$j")" GOSSIP_RECONNECT="${IL_GOSSIP_RECONNECT:-5s}" LEDGER="$LEDGER_DIR/$(peer_name "$j")" \
    BUILDER_DIR="$BUILDER_DIR"
}

start_peer() {  # ORG_INDEX
  local j=$1 settings
  mkdir -p "$LEDGER_DIR/$(peer_name "$j")"
  mapfile -t settings < <(peer_settings "$j")
  spawn "$(peer_name "$j")" env "${settings[@]}" "$FABRIC_BIN/peer" node start
}

# The command line of org J's chaincode server, one argument a line.
chaincode_server_args() {  # ORG_INDEX PACKAGE_ID
  local j=$1
  printf '%s\n' "$(command -v node)" "$REPO_ROOT/node_modules/fabric-shim/cli.js" server \
    --chaincode-address "$(org_address "$j"):$(chaincode_port "$j")" --chaincode-id "$2" \
    --chaincode-tls-cert-file "$(chaincode_tls_dir "$j")/server.crt" \
    --chaincode-tls-key-file "$(chaincode_tls_dir "$j")/server.key" \
    --chaincode-tls-client-cacert-file "$(chaincode_tls_dir "$j")/client-ca.crt" \
    --module-path "$REPO_ROOT/chaincode"
}

# One chaincode server per organisation: each operator runs its own (chaincode as a service).
start_chaincode_server() {  # ORG_INDEX PACKAGE_ID
  local j=$1 args
  mapfile -t args < <(chaincode_server_args "$j" "$2")
  spawn "$(chaincode_name "$j")" env -i PATH="$PATH" HOME="${HOME:-/tmp}" IL_NODE="$(chaincode_name "$j")" \
    NODE_ENV=production ${IL_BENCH_CONTRACT:+IL_BENCH_CONTRACT="$IL_BENCH_CONTRACT"} "${args[@]}"
}

# Environment for the peer CLI acting as org J's admin (its operator) against its own peer.
peer_cli() {  # ORG_INDEX peer-subcommand...
  local j=$1; shift
  env FABRIC_CFG_PATH="$FABRIC_SAMPLECONFIG" \
    FABRIC_LOGGING_SPEC=warn:grpc=error \
    CORE_PEER_LOCALMSPID="$(org_msp "$j")" \
    CORE_PEER_MSPCONFIGPATH="$(org_admin_msp "$j")" \
    CORE_PEER_ADDRESS="$(org_address "$j"):$(peer_port "$j")" \
    CORE_PEER_TLS_ENABLED=true \
    CORE_PEER_TLS_ROOTCERT_FILE="$(peer_tls_ca "$j")" \
    "$FABRIC_BIN/peer" "$@"
}

# The discovery service of org J's peer, asked as org J's admin.
discover_cli() {  # ORG_INDEX discover-subcommand args...
  local j=$1 admin; shift
  admin=$(org_admin_msp "$j")
  env FABRIC_LOGGING_SPEC=error "$FABRIC_BIN/discover" "$@" --server "$(org_address "$j"):$(peer_port "$j")" \
    --peerTLSCA "$(peer_tls_ca "$j")" --MSP "$(org_msp "$j")" \
    --userKey "$(ls "$admin"/keystore/*_sk)" --userCert "$(ls "$admin"/signcerts/*.pem)"
}

osnadmin_cli() {  # ORDERER_INDEX osnadmin-args...
  local i=$1 admin; shift
  admin=$(orderer_admin_msp)
  "$FABRIC_BIN/osnadmin" "$@" -o "$(orderer_address):$(orderer_admin_port "$i")" \
    --ca-file "$(orderer_tls_ca)" \
    --client-cert "$admin/tls/client.crt" --client-key "$admin/tls/client.key"
}

# Arguments that point a peer CLI command at an orderer (for approve, commit, invoke).
orderer_args() {
  echo -o "$(orderer_address):$(orderer_port 0)" --tls --cafile "$(orderer_tls_ca)"
}
