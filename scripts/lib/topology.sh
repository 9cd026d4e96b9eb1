# shellcheck shell=bash
# The local network's shape: names, ports, paths. One place; every other script asks here.
# Source after common.sh.

CHANNEL="${IL_CHANNEL:-impact}"
CHAINCODE_NAME="${IL_CHAINCODE:-impact}"
CHAINCODE_VERSION=1.0
CONSENSUS="${CONSENSUS:-raft}"
case "$CONSENSUS" in
  raft|etcdraft) CONSENSUS=raft; ORDERER_COUNT=3 ;;
  bft|BFT|smartbft) CONSENSUS=bft; ORDERER_COUNT=4 ;;
  *) die "CONSENSUS must be raft or bft (got '$CONSENSUS')" ;;
esac
# Ordering service tuning, from `npm run bench -- --batch-timeouts 100ms,250ms,500ms` on the
# 2-core reference machine (bench/README.md "Orderer batch timeout"): the peaks are the same within
# noise (trivial 93 / 100 / 106 tx/s, claim submission 47 / 49 / 47), p99 submit->commit at half
# the peak 226 / 340 / 635 ms; 250 ms keeps the peak and most of the latency gain, and its p99
# stays under twice the timeout (100 ms: 2.3x, endorsement and commit alone take ~150 ms).
BATCH_TIMEOUT="${IL_BATCH_TIMEOUT:-250ms}"
BATCH_MAX_MESSAGES="${IL_BATCH_MAX_MESSAGES:-100}"

# The organisations: 1..3 when the network is made; `network.sh add-org` / `remove-org` record
# the members in $IL_HOME/orgs (one index a line) and the removed ones in $IL_HOME/orgs-removed
# (their processes still belong to this network: status and down see them).
ORGS_FILE="$IL_HOME/orgs"
ORGS_REMOVED_FILE="$IL_HOME/orgs-removed"
# native: these scripts run every node as a local process. docker: docker-compose.yaml runs
# them; the scripts only generate material, join channels and deploy the chaincode.
IL_HOST_MODE="${IL_HOST_MODE:-native}"
case "$IL_HOST_MODE" in native|docker) ;; *) die "IL_HOST_MODE must be native or docker" ;; esac
processes_managed_here() { [[ $IL_HOST_MODE == native ]]; }
# Shift every port, so a test network can run beside a user's network.
PORT_OFFSET="${IL_PORT_OFFSET:-0}"
DOMAIN=impact.local
ORDERER_DOMAIN="orderer.$DOMAIN"
# Users enrolled per organisation through its CA (User1..User5) and the role each plays in the
# demo and the tests; the roles themselves are granted on the ledger by the org's operator.
USER_ROLES=(submitter verifier verifier validator funder)

CRYPTO_DIR="$IL_HOME/crypto"
CONFIG_DIR="$IL_HOME/config"
LEDGER_DIR="$IL_HOME/ledgers"
LOG_DIR="$IL_HOME/logs"
PID_DIR="$IL_HOME/pids"
CHANNEL_BLOCK="$IL_HOME/channel/$CHANNEL.block"
PACKAGE_DIR="$IL_HOME/chaincode"
NETWORK_JSON="$IL_HOME/network.json"
BUILDER_DIR="$REPO_ROOT/network/builders/ccaas"

orderer_name()       { echo "orderer$1"; }
orderer_host()       { echo "orderer$1.$ORDERER_DOMAIN"; }
orderer_port()       { echo $(( 6050 + 10 * $1 + PORT_OFFSET )); }
orderer_admin_port() { echo $(( 6051 + 10 * $1 + PORT_OFFSET )); }
orderer_ops_port()   { echo $(( 6052 + 10 * $1 + PORT_OFFSET )); }
orderer_dir()        { echo "$CRYPTO_DIR/ordererOrganizations/$ORDERER_DOMAIN/orderers/$(orderer_host "$1")"; }
orderer_tls_ca()     { echo "$CRYPTO_DIR/ordererOrganizations/$ORDERER_DOMAIN/tlsca/tlsca.$ORDERER_DOMAIN-cert.pem"; }
orderer_admin_msp()  { echo "$CRYPTO_DIR/ordererOrganizations/$ORDERER_DOMAIN/users/Admin@$ORDERER_DOMAIN"; }

org_msp()            { echo "Org$1MSP"; }
org_domain()         { echo "org$1.$DOMAIN"; }
peer_name()          { echo "peer0.org$1"; }
peer_host()          { echo "peer0.$(org_domain "$1")"; }
peer_port()          { echo $(( 7051 + 1000 * ($1 - 1) + PORT_OFFSET )); }
peer_cc_port()       { echo $(( 7052 + 1000 * ($1 - 1) + PORT_OFFSET )); }
peer_ops_port()      { echo $(( 7053 + 1000 * ($1 - 1) + PORT_OFFSET )); }
chaincode_port()     { echo $(( 7054 + 1000 * ($1 - 1) + PORT_OFFSET )); }
chaincode_name()     { echo "chaincode.org$1"; }
# Where a peer dials org J's chaincode server.
chaincode_dial_host() { if processes_managed_here; then org_address "$1"; else echo "chaincode.$(org_domain "$1")"; fi; }
org_dir()            { echo "$CRYPTO_DIR/peerOrganizations/$(org_domain "$1")"; }
peer_dir()           { echo "$(org_dir "$1")/peers/$(peer_host "$1")"; }
peer_tls_ca()        { echo "$(org_dir "$1")/tlsca/tlsca.$(org_domain "$1")-cert.pem"; }
org_admin_msp()      { echo "$(org_dir "$1")/users/Admin@$(org_domain "$1")/msp"; }
org_user_dir()       { echo "$(org_dir "$1")/users/$2@$(org_domain "$1")"; }

# Certificate authorities: one Fabric CA per organisation, named by its party: an organisation
# index (1..ORG_COUNT) or "orderer" for the ordering organisation. Each CA's server home, and every
# key it enrols, stays in its own organisation's folder.
ca_parties()         { echo orderer; org_indexes; }
party_dir()          { if [[ $1 == orderer ]]; then echo "$CRYPTO_DIR/ordererOrganizations/$ORDERER_DOMAIN"; else org_dir "$1"; fi; }
party_domain()       { if [[ $1 == orderer ]]; then echo "$ORDERER_DOMAIN"; else org_domain "$1"; fi; }
party_msp()          { if [[ $1 == orderer ]]; then echo OrdererMSP; else org_msp "$1"; fi; }
ca_name()            { if [[ $1 == orderer ]]; then echo ca.orderer; else echo "ca.org$1"; fi; }
ca_host()            { echo "ca.$(party_domain "$1")"; }
ca_port()            { if [[ $1 == orderer ]]; then echo $(( 6095 + PORT_OFFSET )); else echo $(( 7055 + 1000 * ($1 - 1) + PORT_OFFSET )); fi; }
ca_ops_port()        { echo $(( $(ca_port "$1") + 1 )); }
ca_home()            { echo "$(party_dir "$1")/ca/server"; }
ca_root_cert()       { echo "$(ca_home "$1")/ca-cert.pem"; }

# Each party is its own host. Natively every party's nodes (CA, peer or orderers, chaincode
# server, gateway) listen only on that party's own loopback address (Linux routes the whole of
# 127.0.0.0/8 to lo, nothing to configure): organisation J on 127.0.0.(J+1) (org1 127.0.0.2, org2
# 127.0.0.3, ...), the ordering organisation on 127.0.0.254. Nodes are named by their TLS host
# names (peer0.org1.impact.local, ...); each server certificate also carries its party's address,
# so these names need no resolver. The one place where names meet addresses.
org_address()     { (( $1 >= 1 && $1 <= 252 )) || die "no address for organisation $1"; echo "127.0.0.$(( $1 + 1 ))"; }
orderer_address() { echo 127.0.0.254; }
party_address()   { if [[ $1 == orderer ]]; then orderer_address; else org_address "$1"; fi; }
# Where another node dials a party's nodes: its address natively; with IL_HOST_MODE=docker, the
# containers' names on the compose network (the host's scripts reach the published ports on the
# party's address).
peer_dial_host()      { if processes_managed_here; then org_address "$1"; else peer_host "$1"; fi; }
orderer_dial_host()   { if processes_managed_here; then orderer_address; else orderer_host "$1"; fi; }

# Operations endpoints (/healthz, /metrics), on the party's address in both modes (with Docker,
# the ports are published there).
orderer_ops_endpoint() { echo "$(orderer_address):$(orderer_ops_port "$1")"; }
peer_ops_endpoint()    { echo "$(org_address "$1"):$(peer_ops_port "$1")"; }
ca_ops_endpoint()      { echo "$(party_address "$1"):$(ca_ops_port "$1")"; }

orderer_indexes() { seq 0 $(( ORDERER_COUNT - 1 )); }
org_indexes()     { if [[ -s $ORGS_FILE ]]; then cat "$ORGS_FILE"; else seq 1 3; fi; }
org_indexes_ever() { { org_indexes; [[ -s $ORGS_REMOVED_FILE ]] && cat "$ORGS_REMOVED_FILE"; true; } | sort -nu; }
ORG_COUNT=$(org_indexes | wc -l)

# Every node this network runs, by the name `status`, `stop-node` and `start-node` use.
all_node_names() {
  local i
  echo ca.orderer
  for i in $(org_indexes_ever); do ca_name "$i"; done
  for i in $(orderer_indexes); do orderer_name "$i"; done
  for i in $(org_indexes_ever); do peer_name "$i"; done
  for i in $(org_indexes_ever); do chaincode_name "$i"; done
  for i in $(org_indexes_ever); do echo "gateway.org$i"; done
}
