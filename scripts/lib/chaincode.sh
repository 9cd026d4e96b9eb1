# shellcheck shell=bash
# Chaincode as a service: package, install, approve, commit; each step skipped when done.
# Source after nodes.sh.

CHAINCODE_LABEL="${CHAINCODE_NAME}_${CHAINCODE_VERSION}"
# The committed definition's sequence: 1 at creation; joining or removing an organisation
# commits the next one (its private data collection's members change) and records it here.
CHAINCODE_SEQUENCE_FILE="$IL_HOME/chaincode-sequence"
CHAINCODE_SEQUENCE=$(cat "$CHAINCODE_SEQUENCE_FILE" 2>/dev/null || echo 1)

# Mutual TLS between each peer and its organisation's chaincode server: the server's certificate
# is enrolled at the organisation's CA (scripts/lib/ca.sh); the peer presents its own TLS
# certificate (client auth), issued by the same CA.
chaincode_tls_dir() { echo "$PACKAGE_DIR/org$1/tls"; }

issue_chaincode_tls() {  # ORG_INDEX
  local j=$1 dir enrolled
  dir=$(chaincode_tls_dir "$j")
  enrolled="$(party_dir "$j")/chaincode-server/tls"
  [[ -f "$enrolled/server.crt" ]] || die "no enrolled TLS certificate for $(chaincode_name "$j") in $enrolled"
  mkdir -p "$dir"
  cp "$enrolled/server.crt" "$dir/server.crt"
  cp "$enrolled/server.key" "$dir/server.key"
  cp "$enrolled/ca.crt" "$dir/client-ca.crt"
  chmod 600 "$dir/server.key"
}

# connection.json for org J's peer: where its chaincode server listens and the TLS material.
write_connection_json() {  # ORG_INDEX OUTPUT
  local j=$1 tls peer
  tls=$(chaincode_tls_dir "$j")
  peer="$(peer_dir "$j")/tls"
  node -e '
    const fs = require("fs");
    const [address, rootCert, clientCert, clientKey, out] = process.argv.slice(1);
    fs.writeFileSync(out, JSON.stringify({
      address, dial_timeout: "10s", tls_required: true, client_auth_required: true,
      root_cert: fs.readFileSync(rootCert, "utf8"),
      client_cert: fs.readFileSync(clientCert, "utf8"),
      client_key: fs.readFileSync(clientKey, "utf8"),
    }) + "\n");' "$(chaincode_dial_host "$j"):$(chaincode_port "$j")" "$tls/client-ca.crt" \
    "$peer/server.crt" "$peer/server.key" "$2"
}

# A CCaaS package holds only where org J's chaincode server listens (and how to reach it over
# TLS), so each organisation has its own package (and package id) and runs its own server.
# Tarred deterministically: the package id is the sha256 of the file.
package_chaincode() {  # ORG_INDEX -> prints the package path
  local j=$1 work pkg
  pkg="$PACKAGE_DIR/org$j/$CHAINCODE_LABEL.tgz"
  work="$PACKAGE_DIR/org$j/src"
  rm -rf "$work" && mkdir -p "$work/code"
  issue_chaincode_tls "$j"
  write_connection_json "$j" "$work/code/connection.json"
  printf '{"type":"ccaas","label":"%s"}\n' "$CHAINCODE_LABEL" > "$work/metadata.json"
  _det_tgz "$work/code" "$work/code.tar.gz" connection.json
  _det_tgz "$work" "$pkg" metadata.json code.tar.gz
  rm -rf "$work"
  echo "$pkg"
}

_det_tgz() {  # DIR OUTPUT FILES...
  local dir=$1 out=$2; shift 2
  tar -C "$dir" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - "$@" | gzip -n > "$out"
}

package_id() {  # PACKAGE_FILE
  echo "$CHAINCODE_LABEL:$(sha256sum "$1" | cut -d' ' -f1)"
}

chaincode_installed() {  # ORG_INDEX PACKAGE_ID
  peer_cli "$1" lifecycle chaincode queryinstalled --output json 2>/dev/null | grep -q "\"package_id\": *\"$2\""
}

# The private data collections of the chaincode definition: `pseudonymSecret`, readable and
# writable by the member organisations only, which holds the network's pseudonym secret.
# network/collections-config.json is the template; its member policy is written for the current
# organisations (org_indexes) into the network's own copy by write_collections_config.
COLLECTIONS_TEMPLATE="$REPO_ROOT/network/collections-config.json"
COLLECTIONS_CONFIG="$CONFIG_DIR/collections-config.json"

write_collections_config() {
  local j members=()
  for j in $(org_indexes); do members+=("'$(org_msp "$j").member'"); done
  mkdir -p "$CONFIG_DIR"
  cu_json_edit "$COLLECTIONS_TEMPLATE" "$COLLECTIONS_CONFIG" \
    "c.map((col) => ({ ...col, policy: \"OR($(IFS=,; echo "${members[*]}"))\" }))"
}

chaincode_approved() {  # ORG_INDEX PACKAGE_ID
  peer_cli "$1" lifecycle chaincode queryapproved -C "$CHANNEL" -n "$CHAINCODE_NAME" \
    --sequence "$CHAINCODE_SEQUENCE" --output json 2>/dev/null | grep -q "\"package_id\": *\"$2\""
}

chaincode_committed() {
  peer_cli "$(org_indexes | head -n 1)" lifecycle chaincode querycommitted -C "$CHANNEL" -n "$CHAINCODE_NAME" --output json 2>/dev/null \
    | grep -q "\"sequence\": *$CHAINCODE_SEQUENCE"
}

commit_ready() {
  local j out
  out=$(peer_cli 1 lifecycle chaincode checkcommitreadiness -C "$CHANNEL" -n "$CHAINCODE_NAME" \
    -v "$CHAINCODE_VERSION" --sequence "$CHAINCODE_SEQUENCE" --collections-config "$COLLECTIONS_CONFIG" --output json 2>/dev/null) || return 1
  for j in $(org_indexes); do
    grep -q "\"$(org_msp "$j")\": *true" <<<"$out" || return 1
  done
}

chaincode_answers() {  # ORG_INDEX
  peer_cli "$1" chaincode query -C "$CHANNEL" -n "$CHAINCODE_NAME" \
    -c '{"function":"system:Ping","Args":[]}' 2>/dev/null | grep -q '"ok":true'
}

approve_for_org() {  # ORG_INDEX PACKAGE_ID
  chaincode_approved "$1" "$2" && return 0
  peer_cli "$1" lifecycle chaincode approveformyorg $(orderer_args) -C "$CHANNEL" \
    -n "$CHAINCODE_NAME" -v "$CHAINCODE_VERSION" --sequence "$CHAINCODE_SEQUENCE" \
    --collections-config "$COLLECTIONS_CONFIG" --package-id "$2" --waitForEvent
}

commit_definition() {
  local j peers=()
  chaincode_committed && return 0
  for j in $(org_indexes); do
    peers+=(--peerAddresses "$(org_address "$j"):$(peer_port "$j")" --tlsRootCertFiles "$(peer_tls_ca "$j")")
  done
  peer_cli 1 lifecycle chaincode commit $(orderer_args) -C "$CHANNEL" -n "$CHAINCODE_NAME" \
    -v "$CHAINCODE_VERSION" --sequence "$CHAINCODE_SEQUENCE" --collections-config "$COLLECTIONS_CONFIG" "${peers[@]}" --waitForEvent
}

# Sets the network's pseudonym secret (system:SetPseudonymSecret, the secret in the transient
# data) once, as Org1's operator, endorsed by every organisation's peer. The secret is the
# gateways' network secret file (created here when missing), so pseudonyms stay what the gateways
# derived. Succeeds when the secret was already set (PSEUDONYM_SECRET_SET).
set_pseudonym_secret() {
  local j peers=() out secret_file="$IL_HOME/gateway/network-secret"
  mkdir -p "$(dirname "$secret_file")"
  [[ -f "$secret_file" ]] || (umask 077; openssl rand -hex 32 > "$secret_file")
  for j in $(org_indexes); do
    peers+=(--peerAddresses "$(org_address "$j"):$(peer_port "$j")" --tlsRootCertFiles "$(peer_tls_ca "$j")")
  done
  out=$(peer_cli 1 chaincode invoke $(orderer_args) -C "$CHANNEL" -n "$CHAINCODE_NAME" "${peers[@]}" --waitForEvent \
    -c '{"function":"system:SetPseudonymSecret","Args":[]}' \
    --transient "{\"pseudonymSecret\":\"$(tr -d '\n' < "$secret_file" | base64 -w0)\"}" 2>&1) && return 0
  grep -q PSEUDONYM_SECRET_SET <<<"$out" && return 0
  printf '%s\n' "$out" >&2
  return 1
}

# True when org J's peer knows, through gossip, every organisation's peer as an endorser of the
# chaincode: until then the Fabric gateway on that peer cannot plan MAJORITY endorsements.
discovery_sees_all() {  # ORG_INDEX
  local out k
  out=$(discover_cli "$1" endorsers --channel "$CHANNEL" --chaincode "$CHAINCODE_NAME" 2>/dev/null) || return 1
  for k in $(org_indexes); do
    grep -q "\"MSPID\": \"$(org_msp "$k")\"" <<<"$out" || return 1
  done
}

# Returns the package id of org J (packaging if needed).
org_package_id() {  # ORG_INDEX
  local pkg="$PACKAGE_DIR/org$1/$CHAINCODE_LABEL.tgz"
  [[ -f $pkg ]] || pkg=$(package_chaincode "$1")
  package_id "$pkg"
}

# For docker-compose: the package id each organisation's chaincode container serves.
write_chaincode_env() {
  local j
  for j in $(org_indexes); do echo "CHAINCODE_ID_ORG$j=$(org_package_id "$j")"; done > "$IL_HOME/chaincode.env"
}

deploy_chaincode() {
  local j id start
  start=$(now_ms)
  [[ -f $COLLECTIONS_CONFIG ]] || write_collections_config
  for j in $(org_indexes); do
    id=$(org_package_id "$j")
    if ! chaincode_installed "$j" "$id"; then
      log "installing chaincode package on $(peer_name "$j") ($id)"
      peer_cli "$j" lifecycle chaincode install "$PACKAGE_DIR/org$j/$CHAINCODE_LABEL.tgz" >/dev/null
    fi
    if processes_managed_here && ! node_alive "$(chaincode_name "$j")"; then
      start_chaincode_server "$j" "$id"
    fi
  done
  if ! chaincode_committed; then
    for j in $(org_indexes); do
      id=$(org_package_id "$j")
      if ! chaincode_approved "$j" "$id"; then
        log "approving chaincode definition for $(org_msp "$j")"
        # The ordering service may still be electing a leader right after start: retry.
        wait_for "approval by $(org_msp "$j")" 60 approve_for_org "$j" "$id" \
          || die "approveformyorg failed for $(org_msp "$j")"
      fi
    done
    wait_for "commit readiness of every organisation" 60 commit_ready || die "chaincode definition not agreed"
    log "committing chaincode definition '$CHAINCODE_NAME' v$CHAINCODE_VERSION"
    wait_for "chaincode commit" 60 commit_definition || die "chaincode commit failed"
  fi
  for j in $(org_indexes); do
    if processes_managed_here; then
      wait_node "$(chaincode_name "$j")" 60 chaincode_answers "$j"
    else
      wait_for "chaincode answering on $(peer_name "$j")" 60 chaincode_answers "$j"
    fi || die "chaincode does not answer on $(peer_name "$j"); see $(log_file "$(chaincode_name "$j")")"
  done
  for j in $(org_indexes); do
    wait_for "$(peer_name "$j") to discover every organisation's endorsers" 90 discovery_sees_all "$j" \
      || die "$(peer_name "$j") does not see every organisation's peer (gossip); see $(log_file "$(peer_name "$j")")"
  done
  wait_for "the pseudonym secret set in the private data collection" 60 set_pseudonym_secret \
    || die "system:SetPseudonymSecret failed"
  phase_done "chaincode deployed, answering and discoverable on every peer" "$start"
}
