#!/usr/bin/env bash
# The local impact-ledger network: Fabric v3.1.1 run natively (no Docker), three sub-network
# operators (each with its own Fabric CA and one peer), Raft (or BFT) ordering, the chaincode as
# a service.
REQUESTED_CONSENSUS="${CONSENSUS:-}"
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/fabric.sh"
source "$REPO_ROOT/scripts/lib/topology.sh"
source "$REPO_ROOT/scripts/lib/nodes.sh"
source "$REPO_ROOT/scripts/lib/ca.sh"
source "$REPO_ROOT/scripts/lib/channel.sh"
source "$REPO_ROOT/scripts/lib/channel-update.sh"
source "$REPO_ROOT/scripts/lib/chaincode.sh"
source "$REPO_ROOT/scripts/lib/connection.sh"
source "$REPO_ROOT/scripts/lib/gateway.sh"
source "$REPO_ROOT/scripts/lib/hosts.sh"
source "$REPO_ROOT/scripts/lib/org-join.sh"

usage() {
  cat <<USAGE
Usage: scripts/network.sh COMMAND [NODE]

Commands:
  up               build what is missing, start the network, deploy the chaincode (re-runnable:
                   on a running network it says so and restarts only stopped processes)
  down             stop every process these scripts started (by recorded pid), remove ledgers
                   and generated material
  status           what runs, each node's block height, where the logs are
  stop-node NODE   stop one node gracefully (SIGTERM)          e.g. stop-node peer0.org2
  kill-node NODE   kill one node (SIGKILL)                      e.g. kill-node orderer0
  start-node NODE  start one stopped node on its existing data
  nodes            list the node names
  env PARTY        what PARTY (an organisation's number, or orderer) needs to run its nodes on a
                   host of its own: node settings and command lines, and exchange/ (what it hands
                   the other parties), in IL_HOME/hosts/PARTY   e.g. env 2
  revoke-user ORG NAME [REASON]
                   ORG's registrar revokes NAME at ORG's CA (all its certificates) and ORG's admin
                   puts the new CRL into ORG's MSP in the channel configuration (a config update);
                   the peers then refuse NAME's transactions       e.g. revoke-user 1 alice
  set-acl RESOURCE POLICY
                   sets a channel ACL (Application group: needs a MAJORITY of the organisations'
                   admins, who sign one after another)  e.g. set-acl cscc/GetConfigBlock /Channel/Application/Readers
  add-org N        organisation N (e.g. 4) joins the running network: its own CA and identities,
                   the channel update signed by a MAJORITY of the members' admins, its peer joined
                   (IL_JOIN_FROM=genesis|snapshot), its chaincode server, the next chaincode
                   definition (pseudonymSecret collection with it), its gateway   e.g. add-org 4
  remove-org N     the reverse: the channel update removing it (MAJORITY), the next definition
                   without it; its records stay on the ledger
  generate         (Docker) only generate crypto, channel block and chaincode packages
  deploy           (Docker) join the channel and deploy the chaincode on running containers

Environment:
  CONSENSUS=raft|bft   ordering: 3 Raft orderers (default) or 4 SmartBFT orderers
  FABRIC_BIN=DIR       use existing Fabric $FABRIC_VERSION binaries instead of building them
  IL_HOME=DIR          where crypto, ledgers, logs and pids go (default network/data)
  IL_PORT_OFFSET=N     shift every port by N (to run a second network beside the first)
  IL_HOST_MODE=docker  nodes run in docker-compose.yaml's containers (generate/deploy)
  IL_GATEWAYS=0        do not start the HTTP gateways (one per organisation, ports 3001-3003)
  IL_SEED_DEMO=0       do not seed the demo roles, protocol and credentials
  IL_BATCH_TIMEOUT, IL_BATCH_MAX_MESSAGES   orderer batch cutting (default 250ms, 100: bench/README.md)
  IL_SIGNERS="1 2"     revoke-user, set-acl, add-org, remove-org: the organisations whose admins
                       sign the config update, the last one submits (default: the policy's need:
                       revoke-user the user's organisation, the others a majority)
  IL_JOIN_FROM=snapshot  add-org: the new peer joins from a snapshot of an existing peer (default:
                       from the genesis block, replaying every block)
USAGE
}

# The consensus and port offset a network was created with win over the environment for every
# later command (status, stop-node, start-node, down, a second up).
load_recorded_consensus() {
  [[ -f "$IL_HOME/port-offset" ]] && PORT_OFFSET=$(cat "$IL_HOME/port-offset")
  if [[ -f "$IL_HOME/consensus" ]]; then
    local recorded
    recorded=$(cat "$IL_HOME/consensus")
    if [[ -n "$REQUESTED_CONSENSUS" && "$recorded" != "$CONSENSUS" ]]; then
      die "the network in $IL_HOME was created with CONSENSUS=$recorded; run 'down' first to change it"
    fi
    CONSENSUS=$recorded
    [[ $CONSENSUS == bft ]] && ORDERER_COUNT=4 || ORDERER_COUNT=3
  fi
}

any_node_alive() {
  local n
  for n in $(all_node_names); do node_alive "$n" && return 0; done
  return 1
}

orderer_channel_active() {  # INDEX
  osnadmin_cli "$1" channel list --channelID "$CHANNEL" 2>/dev/null | grep -q '"status": *"active"'
}

peer_joined() {  # ORG_INDEX
  peer_cli "$1" channel getinfo -c "$CHANNEL" >/dev/null 2>&1
}

# Waits for a node's operations endpoint; a process started here that dies fails at once.
await_healthy() {  # NAME OPERATIONS_ENDPOINT
  if processes_managed_here; then
    wait_node "$1" 60 healthz "$2" || die "$1 did not start; see $(log_file "$1")"
  else
    wait_for "$1 /healthz" 120 healthz "$2" || die "$1 is not up"
  fi
}

start_orderers() {
  local i start
  start=$(now_ms)
  for i in $(orderer_indexes); do
    processes_managed_here || break
    node_alive "$(orderer_name "$i")" || { log "starting $(orderer_name "$i")"; start_orderer "$i"; }
  done
  for i in $(orderer_indexes); do await_healthy "$(orderer_name "$i")" "$(orderer_ops_endpoint "$i")"; done
  for i in $(orderer_indexes); do
    if ! orderer_channel_active "$i"; then
      log "joining $(orderer_name "$i") to channel '$CHANNEL'"
      osnadmin_cli "$i" channel join --channelID "$CHANNEL" --config-block "$CHANNEL_BLOCK" >/dev/null
    fi
  done
  for i in $(orderer_indexes); do
    wait_for "$(orderer_name "$i") channel active" 60 orderer_channel_active "$i" \
      || die "$(orderer_name "$i") did not activate channel '$CHANNEL'"
  done
  wait_for "an ordering service leader" 60 orderer_leader_known || die "no consensus leader elected"
  phase_done "$ORDERER_COUNT orderers ($CONSENSUS) up, channel active, leader elected" "$start"
}

# A Raft or BFT leader is reported by the orderers' Prometheus metrics.
orderer_leader_known() {
  local i
  for i in $(orderer_indexes); do
    curl -fsS --max-time 2 "http://$(orderer_ops_endpoint "$i")/metrics" 2>/dev/null \
      | grep -qE "^consensus_(etcdraft|BFT)_is_leader\{channel=\"$CHANNEL\"\} 1" && return 0
  done
  return 1
}

start_peers() {
  local j start
  start=$(now_ms)
  for j in $(org_indexes); do
    processes_managed_here || break
    node_alive "$(peer_name "$j")" || { log "starting $(peer_name "$j")"; start_peer "$j"; }
  done
  for j in $(org_indexes); do
    await_healthy "$(peer_name "$j")" "$(peer_ops_endpoint "$j")"
    if ! peer_joined "$j"; then
      log "joining $(peer_name "$j") to channel '$CHANNEL'"
      wait_for "$(peer_name "$j") channel join" 30 peer_cli "$j" channel join -b "$CHANNEL_BLOCK" \
        || die "$(peer_name "$j") could not join '$CHANNEL'"
    fi
    wait_for "$(peer_name "$j") ledger" 30 peer_joined "$j" || die "$(peer_name "$j") has no ledger for '$CHANNEL'"
  done
  phase_done "$ORG_COUNT peers up and joined" "$start"
}

cmd_up() {
  local start
  start=$(now_ms)
  ensure_fabric_binaries
  ensure_node_modules
  ensure_build chaincode gateway
  if [[ -f "$CHANNEL_BLOCK" && -f "$IL_HOME/consensus" ]]; then
    load_recorded_consensus
    if any_node_alive; then
      log "the network in $IL_HOME is already running; starting only what is stopped"
    else
      log "restarting the network on its existing ledgers in $IL_HOME"
    fi
  else
    any_node_alive && die "processes of an earlier network still run; run 'scripts/network.sh down' first"
    rm -rf "$IL_HOME"
    mkdir -p "$IL_HOME"
    echo "$CONSENSUS" > "$IL_HOME/consensus"
    echo "$PORT_OFFSET" > "$IL_HOME/port-offset"
    generate_crypto_and_channel
  fi
  write_network_json
  start_cas
  start_orderers
  start_peers
  deploy_chaincode
  if [[ "${IL_GATEWAYS:-1}" == 1 ]]; then
    start_gateways
    [[ "${IL_SEED_DEMO:-1}" == 1 ]] && seed_demo
  fi
  phase_done "network up" "$start"
  cmd_status
  print_gateways
}

print_gateways() {
  local j
  [[ -f "$GATEWAY_DIR/gateways.json" ]] || return 0
  printf '\ngateways (HTTP API, OpenAPI at /v1/openapi.json):\n'
  for j in $(org_indexes); do
    node_alive "$(gateway_name "$j")" && printf '  %s  %s\n' "$(org_msp "$j")" "$(gateway_url "$j")"
  done
  printf 'bearer tokens per user: %s/orgN/tokens.json; demo credentials: %s/demo/\n' "$GATEWAY_DIR" "$IL_HOME"
}

# Only the material (for docker-compose): crypto, channel block, chaincode packages.
cmd_generate() {
  [[ -f "$CHANNEL_BLOCK" ]] && die "$IL_HOME already holds a network; run 'down' first to make a new one"
  mkdir -p "$IL_HOME"
  echo "$CONSENSUS" > "$IL_HOME/consensus"
  echo "$PORT_OFFSET" > "$IL_HOME/port-offset"
  ensure_fabric_binaries
  generate_crypto_and_channel
  write_chaincode_env
  write_network_json
  ensure_gateway_material
  printf 'IL_NETWORK_SECRET=%s\n' "$(cat "$GATEWAY_DIR/network-secret")" > "$GATEWAY_DIR/network-secret.env"
  write_gateways_json
  ok "material for a $IL_HOST_MODE network in $IL_HOME"
}

# Joins the channel and deploys the chaincode on nodes started elsewhere (docker compose).
cmd_deploy() {
  [[ -f "$CHANNEL_BLOCK" ]] || die "no channel block in $IL_HOME; run 'generate' first"
  load_recorded_consensus
  start_orderers
  start_peers
  deploy_chaincode
}

cmd_down() {
  local stopped
  load_recorded_consensus
  [[ $CONSENSUS == raft ]] && ORDERER_COUNT=4  # also stop a fourth orderer if one was started by hand
  # shellcheck disable=SC2046
  stopped=$(stop_nodes TERM $(all_node_names))
  rm -rf "$IL_HOME"
  ok "network down: $stopped processes stopped, $IL_HOME removed"
}

node_height() {  # NAME
  local name=$1 idx
  case "$name" in
    orderer*)
      idx=${name#orderer}
      osnadmin_cli "$idx" channel list --channelID "$CHANNEL" 2>/dev/null | sed -n 's/.*"height": *\([0-9]*\).*/\1/p' ;;
    peer0.org*)
      idx=${name#peer0.org}
      peer_cli "$idx" channel getinfo -c "$CHANNEL" 2>/dev/null | sed -n 's/.*"height":\([0-9]*\).*/\1/p' ;;
    *) echo '-' ;;
  esac
}

cmd_status() {
  local n state height pid
  if [[ ! -f "$IL_HOME/consensus" ]]; then
    echo "no network in $IL_HOME (run: npm start)"
    return 0
  fi
  load_recorded_consensus
  printf 'network in %s (consensus %s, channel %s, chaincode %s)\n' "$IL_HOME" "$CONSENSUS" "$CHANNEL" "$CHAINCODE_NAME"
  printf '%-18s %-8s %-8s %-7s %s\n' NODE STATE PID HEIGHT LOG
  for n in $(all_node_names); do
    pid='-' height='-'
    if node_alive "$n"; then
      state=running
      pid=$(node_pid "$n")
      height=$(node_height "$n")
    else
      state=stopped
    fi
    printf '%-18s %-8s %-8s %-7s %s\n' "$n" "$state" "$pid" "${height:--}" "$(log_file "$n")"
  done
  printf 'client connection details: %s\n' "$NETWORK_JSON"
}

node_kind_index() {  # NAME -> "kind index"
  case "$1" in
    ca.orderer) echo "ca orderer" ;;
    ca.org[0-9]) echo "ca ${1#ca.org}" ;;
    orderer[0-9]) echo "orderer ${1#orderer}" ;;
    peer0.org[0-9]) echo "peer ${1#peer0.org}" ;;
    chaincode.org[0-9]) echo "chaincode ${1#chaincode.org}" ;;
    gateway.org[0-9]) echo "gateway ${1#gateway.org}" ;;
    *) die "unknown node '$1' (see: scripts/network.sh nodes)" ;;
  esac
}

# True when org J's peer is at least as high as every other running peer (it has caught up:
# endorsing on an older state would produce a read set that the others' does not match).
# The others' heights are asked first: under load they move on while the question is asked.
peer_caught_up() {  # ORG_INDEX
  local j=$1 k mine other highest=0
  for k in $(org_indexes); do
    [[ $k == "$j" ]] && continue
    node_alive "$(peer_name "$k")" || continue
    other=$(node_height "$(peer_name "$k")")
    [[ -n $other ]] && (( other > highest )) && highest=$other
  done
  mine=$(node_height "$(peer_name "$j")")
  [[ -n $mine ]] && (( mine >= highest ))
}

cmd_start_node() {
  local kind idx
  read -r kind idx <<<"$(node_kind_index "$1")"
  load_recorded_consensus
  node_alive "$1" && { ok "$1 is already running"; return 0; }
  case "$kind" in
    ca)
      start_ca "$idx"
      wait_node "$1" 60 ca_ready "$idx" || die "$1 did not start" ;;
    orderer)
      start_orderer "$idx"
      await_healthy "$1" "$(orderer_ops_endpoint "$idx")" ;;
    peer)
      start_peer "$idx"
      await_healthy "$1" "$(peer_ops_endpoint "$idx")"
      wait_for "$1 ledger" 30 peer_joined "$idx" || die "$1 has no ledger"
      wait_for "$1 to catch up with the other peers" 120 peer_caught_up "$idx" || die "$1 does not catch up"
      # Ready for clients once its discovery service sees every organisation again.
      wait_for "$1 discovery" 90 discovery_sees_all "$idx" || die "$1 does not see every organisation" ;;
    gateway)
      start_gateway "$idx"
      wait_node "$1" 60 gateway_ready "$idx" || die "$1 is not ready" ;;
    chaincode)
      start_chaincode_server "$idx" "$(org_package_id "$idx")"
      wait_node "$1" 60 chaincode_answers "$idx" || die "$1 does not answer" ;;
  esac
  ok "$1 started (pid $(node_pid "$1"))"
}

# Height of org J's peer (its channel ledger).
peer_height() {  # ORG_INDEX
  peer_cli "$1" channel getinfo -c "$CHANNEL" 2>/dev/null | sed -n 's/.*"height":\([0-9]*\).*/\1/p'
}

peer_above() {  # ORG_INDEX HEIGHT
  local h
  h=$(peer_height "$1")
  [[ -n $h ]] && (( h > $2 ))
}

config_block_after() {  # ORG NUMBER
  local n
  n=$(cu_config_block_number "$1")
  [[ -n $n ]] && (( n > $2 ))
}

# Signs WORKDIR/update.pb by each organisation of SIGNERS (its own admin MSP) and submits it as the
# last one; then waits until every peer (of AWAIT_ORGS when set) has committed the config block.
sign_submit_and_await() {  # WORKDIR SIGNERS...
  local dir=$1 j last before n; shift
  before=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).header.number)' "$dir/config_block.json")
  last=${*: -1}
  for j in "$@"; do
    [[ $j == "$last" ]] && break
    cu_sign "$j" "$dir" || die "the admin of $(org_msp "$j") could not sign"
    log "signed by the admin of $(org_msp "$j")"
  done
  cu_submit "$last" "$dir" || die "the channel refused the config update (signed by: $(for j in "$@"; do printf '%s ' "$(org_msp "$j")"; done))"
  log "submitted by the admin of $(org_msp "$last")"
  # The orderer validates the update against the policies when it orders it: wait for its block.
  wait_for "the new config block" 30 config_block_after "$last" "$before" || die "the orderer made no new config block (refused?)"
  n=$(cu_config_block_number "$last")
  for j in ${AWAIT_ORGS:-$(org_indexes)}; do
    wait_for "peer0.org$j to commit config block $n" 60 peer_above "$j" "$n" || die "peer0.org$j did not commit the config update"
  done
}

cmd_revoke_user() {  # ORG_INDEX NAME [REASON]
  local j=$1 name=$2 reason=${3:-unspecified} dir crl start signers
  is_member "$j" || die "ORG must be one of: $(org_indexes | tr '\n' ' ')"
  start=$(now_ms)
  # Revoking an identity revokes every certificate it was issued (re-enrolments included); it is
  # idempotent. gencrl then returns the CA's whole CRL (revoke --gencrl lists only what it revoked now).
  ca_client "$j" "$(ca_registrar_home "$j")" revoke -u "$(ca_url "$j")" -e "$name" -r "$reason" >/dev/null \
    || die "$(ca_name "$j") could not revoke $name"
  crl="$(ca_registrar_home "$j")/msp/crls/crl.pem"
  rm -f "$crl"
  ca_client "$j" "$(ca_registrar_home "$j")" gencrl -u "$(ca_url "$j")" >/dev/null || die "$(ca_name "$j") could not make its CRL"
  [[ -s $crl ]] || die "$(ca_name "$j") returned no CRL"
  ok "$(ca_name "$j") revoked $name ($(( $(now_ms) - start )) ms)"
  dir="$IL_HOME/config-updates/revoke-$name-$(date +%s%N)"
  cu_fetch "$j" "$dir" || die "could not fetch the channel configuration"
  # The CA's CRL lists every certificate it revoked: it replaces the organisation's list.
  cu_json_edit "$dir/config.json" "$dir/modified.json" \
    "(c.channel_group.groups.Application.groups['$(org_msp "$j")'].values.MSP.value.config.revocation_list = ['$(base64 -w0 "$crl")'], c)"
  cu_compute "$dir" || die "could not compute the config update"
  signers=${IL_SIGNERS:-$j}
  # shellcheck disable=SC2086
  sign_submit_and_await "$dir" $signers
  ok "$name revoked: the CRL of $(ca_name "$j") is in $(org_msp "$j")'s channel MSP (total $(( $(now_ms) - start )) ms)"
}

cmd_set_acl() {  # RESOURCE POLICY
  local resource=$1 policy=$2 dir signers
  dir="$IL_HOME/config-updates/acl-$(date +%s%N)"
  cu_fetch 1 "$dir" || die "could not fetch the channel configuration"
  cu_json_edit "$dir/config.json" "$dir/modified.json" "(() => {
    const app = c.channel_group.groups.Application;
    app.values.ACLs ??= { mod_policy: 'Admins', value: { acls: {} } };
    app.values.ACLs.value.acls ??= {};
    app.values.ACLs.value.acls['$resource'] = { policy_ref: '$policy' };
    return c; })()"
  cu_compute "$dir" || die "could not compute the config update"
  signers=${IL_SIGNERS:-$(cu_majority_orgs | tr '\n' ' ')}
  # shellcheck disable=SC2086
  sign_submit_and_await "$dir" $signers
  ok "ACL $resource -> $policy set"
}

main() {
  case "${1:-}" in
    up) processes_managed_here || die "with IL_HOST_MODE=docker use: generate, docker compose up -d, deploy"; cmd_up ;;
    generate) ensure_node; cmd_generate ;;
    deploy) ensure_node; cmd_deploy ;;
    down) cmd_down ;;
    status) cmd_status ;;
    nodes) load_recorded_consensus; all_node_names ;;
    env) [[ -n "${2:-}" ]] || die "usage: env PARTY (1..$ORG_COUNT or orderer)"; ensure_node; load_recorded_consensus; cmd_env "$2" ;;
    stop-node) [[ -n "${2:-}" ]] || die "usage: stop-node NODE"; node_kind_index "$2" >/dev/null; stop_node "$2" TERM; ok "$2 stopped" ;;
    kill-node) [[ -n "${2:-}" ]] || die "usage: kill-node NODE"; node_kind_index "$2" >/dev/null; stop_node "$2" KILL; ok "$2 killed" ;;
    start-node) [[ -n "${2:-}" ]] || die "usage: start-node NODE"; ensure_node; cmd_start_node "$2" ;;
    revoke-user) [[ -n "${3:-}" ]] || die "usage: revoke-user ORG NAME [REASON]"; ensure_node; load_recorded_consensus; cmd_revoke_user "$2" "$3" "${4:-}" ;;
    add-org) [[ -n "${2:-}" ]] || die "usage: add-org N"; processes_managed_here || die "add-org runs the newcomer's nodes natively (docker-compose.yaml has three organisations)"; ensure_node; load_recorded_consensus; cmd_add_org "${2#org}" ;;
    remove-org) [[ -n "${2:-}" ]] || die "usage: remove-org N"; ensure_node; load_recorded_consensus; cmd_remove_org "${2#org}" ;;
    set-acl) [[ -n "${3:-}" ]] || die "usage: set-acl RESOURCE POLICY"; ensure_node; load_recorded_consensus; cmd_set_acl "$2" "$3" ;;
    -h|--help|help) usage ;;
    '') usage >&2; exit 2 ;;
    *) usage >&2; die "unknown command '$1'" ;;
  esac
}

main "$@"
