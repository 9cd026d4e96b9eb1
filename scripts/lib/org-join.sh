# shellcheck shell=bash
# An organisation joins the running network (`network.sh add-org N`) or leaves it (`remove-org N`),
# each step done by the party that owns it:
#   1. the newcomer: its own Fabric CA, peer, admin and users, in its own folder; it hands over
#      only its organisation definition (MSP certificates, NodeOU config, policies, anchor peer);
#   2. an existing operator: fetches the channel configuration, adds the definition to the
#      Application group, computes the update (channel-update.sh);
#   3. the existing operators: each signs with its own admin key; the update is submitted once the
#      channel's Admins policy (MAJORITY) is met, refused with fewer signatures;
#   4. the newcomer: its peer joins the channel (from the genesis block, or from a snapshot an
#      existing peer made: IL_JOIN_FROM=snapshot), its chaincode server starts, it approves the
#      committed chaincode definition with its own package;
#   5. everyone: the next definition sequence, the pseudonymSecret collection's members updated,
#      approved by every organisation, committed; the newcomer's peer gets the secret from the
#      other members (private data reconciliation); its gateway starts.
# Source after network.sh's libraries (nodes, ca, channel, channel-update, chaincode, gateway).

join_dir() { echo "$IL_HOME/join/org$1"; }
# What the newcomer hands over: its organisation definition (public material only).
org_definition_file() { echo "$(join_dir "$1")/$(org_msp "$1").json"; }

is_member() { org_indexes | grep -qx "$1"; }
# Where org J's admin reaches its own peer (as peer_cli does).
peer_endpoint() { echo "$(org_address "$1"):$(peer_port "$1")"; }

# Rewrites the membership files: MEMBERS are the organisations now in the channel.
record_members() {  # MEMBERS...
  printf '%s\n' "$@" | sort -nu > "$ORGS_FILE"
  ORG_COUNT=$(org_indexes | wc -l)
}

# Step 1, by the newcomer: its CA (started, or restarted on its existing home), its identities
# (once), its organisation definition exported with configtxgen -printOrg.
newcomer_material() {  # ORG_INDEX
  local j=$1 dir
  dir=$(join_dir "$j")
  mkdir -p "$dir"
  node_alive "$(ca_name "$j")" || start_ca "$j"
  wait_node "$(ca_name "$j")" 60 ca_ready "$j" || die "$(ca_name "$j") did not start; see $(log_file "$(ca_name "$j")")"
  if [[ ! -d "$(org_admin_msp "$j")/keystore" ]]; then
    enroll_party "$j" || die "enrolment through $(ca_name "$j") failed"
  fi
  { echo 'Organizations:'; _org_section "$j"; } > "$dir/configtx.yaml"
  FABRIC_CFG_PATH="$dir" "$FABRIC_BIN/configtxgen" -printOrg "$(org_msp "$j")" > "$(org_definition_file "$j")" 2>"$dir/configtxgen.log" \
    || { cat "$dir/configtxgen.log" >&2; die "configtxgen -printOrg failed"; }
  # The anchor peer, where the other organisations' peers gossip with the newcomer's.
  cu_json_edit "$(org_definition_file "$j")" "$(org_definition_file "$j")" "(c.values.AnchorPeers ??= {
    mod_policy: 'Admins', version: '0',
    value: { anchor_peers: [{ host: '$(node_address_host peer "$j")', port: $(peer_port "$j") }] } }, c)"
}

# Step 4 (genesis): the newcomer fetches the channel's first block as its admin and joins with it.
join_from_genesis() {  # ORG_INDEX
  local j=$1 block
  block="$(join_dir "$j")/genesis.block"
  peer_cli "$j" channel fetch 0 "$block" -c "$CHANNEL" $(orderer_args) 2>/dev/null || return 1
  peer_cli "$j" channel join -b "$block"
}

snapshot_pending() {  # ORG_INDEX
  local out
  out=$(peer_cli "$1" snapshot listpending -c "$CHANNEL" --peerAddress "$(peer_endpoint "$1")" \
    --tlsRootCertFile "$(peer_tls_ca "$1")" 2>&1) || return 1
  grep -q 'Successfully got pending snapshot requests: \[[0-9]' <<<"$out"
}

# Step 4 (snapshot): org K's operator has its peer snapshot the channel at its last committed
# block; the snapshot folder is handed to the newcomer, whose peer joins from it.
join_from_snapshot() {  # ORG_INDEX FROM_ORG
  local j=$1 k=$2 root latest
  root="$LEDGER_DIR/$(peer_name "$k")/snapshots/completed/$CHANNEL"
  peer_cli "$k" snapshot submitrequest -c "$CHANNEL" -b 0 --peerAddress "$(peer_endpoint "$k")" \
    --tlsRootCertFile "$(peer_tls_ca "$k")" >/dev/null || die "$(peer_name "$k") refused the snapshot request"
  wait_for "the snapshot of $(peer_name "$k")" 120 _no_snapshot_pending "$k" || die "$(peer_name "$k") made no snapshot"
  latest=$(find "$root" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -n | tail -n 1)
  [[ -n $latest ]] || die "no completed snapshot in $root"
  rm -rf "$(join_dir "$j")/snapshot"
  cp -r "$root/$latest" "$(join_dir "$j")/snapshot"
  log "snapshot of block $latest handed to $(org_msp "$j") ($(du -sh "$(join_dir "$j")/snapshot" | cut -f1))"
  peer_cli "$j" channel joinbysnapshot --snapshotpath "$(join_dir "$j")/snapshot" 2>&1 | tail -n 1 >&2
  wait_for "$(peer_name "$j") to finish joining by snapshot" 300 _snapshot_join_done "$j" || die "$(peer_name "$j") did not join from the snapshot"
}
_no_snapshot_pending() {
  peer_cli "$1" snapshot listpending -c "$CHANNEL" --peerAddress "$(peer_endpoint "$1")" \
    --tlsRootCertFile "$(peer_tls_ca "$1")" >/dev/null 2>&1 && ! snapshot_pending "$1"
}
_snapshot_join_done() {
  local out
  out=$(peer_cli "$1" channel joinbysnapshotstatus 2>&1) || return 1
  grep -q 'No joinbysnapshot operation is in progress' <<<"$out" && peer_joined "$1"
}

# True when org J's peer holds the pseudonym secret: an operator's attempt to set it again (only
# simulated, on that peer alone) answers PSEUDONYM_SECRET_SET rather than asking for a secret.
pseudonym_secret_on() {  # ORG_INDEX
  local out
  out=$(peer_cli "$1" chaincode query -C "$CHANNEL" -n "$CHAINCODE_NAME" \
    -c '{"function":"system:SetPseudonymSecret","Args":[]}' 2>&1) && return 1
  grep -q PSEUDONYM_SECRET_SET <<<"$out"
}

# Step 5: the next chaincode definition, with the collection's members as org_indexes now says,
# approved by every member (concurrently, each with its own package) and committed.
commit_next_definition() {
  local j pids=() failed=0
  write_collections_config
  CHAINCODE_SEQUENCE=$(( CHAINCODE_SEQUENCE + 1 ))
  for j in $(org_indexes); do
    wait_for "approval of sequence $CHAINCODE_SEQUENCE by $(org_msp "$j")" 60 approve_for_org "$j" "$(org_package_id "$j")" &
    pids+=($!)
  done
  for j in "${pids[@]}"; do wait "$j" || failed=1; done
  (( failed == 0 )) || die "an organisation could not approve sequence $CHAINCODE_SEQUENCE"
  wait_for "commit readiness of sequence $CHAINCODE_SEQUENCE" 60 commit_ready || die "sequence $CHAINCODE_SEQUENCE not agreed"
  wait_for "commit of sequence $CHAINCODE_SEQUENCE" 60 commit_definition || die "sequence $CHAINCODE_SEQUENCE not committed"
  echo "$CHAINCODE_SEQUENCE" > "$CHAINCODE_SEQUENCE_FILE"
}

cmd_add_org() {  # ORG_INDEX
  local j=$1 start t dir signers from=${IL_JOIN_FROM:-genesis} first height id k
  [[ $j =~ ^[1-9]$ ]] || die "ORG must be a digit (the new organisation's index), e.g. add-org 4"
  [[ -s $ORGS_REMOVED_FILE ]] && grep -qx "$j" "$ORGS_REMOVED_FILE" && die "$(org_msp "$j") was removed; its index is not reused"
  [[ $from == genesis || $from == snapshot ]] || die "IL_JOIN_FROM must be genesis or snapshot"
  first=$(org_indexes | head -n 1)
  start=$(now_ms)
  log "$(org_msp "$j") joins channel '$CHANNEL' (members: $(org_indexes | tr '\n' ' '); peer joins from the $from)"

  t=$(now_ms)
  newcomer_material "$j"
  phase_done "1/6 $(org_msp "$j"): its CA, peer, admin and users enrolled in its own folder; definition exported ($(org_definition_file "$j"))" "$t"

  # A second run after a failure resumes: what is done is not done again.
  if is_member "$j"; then
    log "$(org_msp "$j") is already in the channel configuration: steps 2 and 3 are done"
  else
    t=$(now_ms)
    dir="$IL_HOME/config-updates/add-org$j-$(date +%s%N)"
    cu_fetch "$first" "$dir" || die "could not fetch the channel configuration"
    cu_json_edit "$dir/config.json" "$dir/modified.json" \
      "(c.channel_group.groups.Application.groups['$(org_msp "$j")'] = JSON.parse(require('fs').readFileSync('$(org_definition_file "$j")', 'utf8')), c)"
    cu_compute "$dir" || die "could not compute the config update"
    phase_done "2/6 $(org_msp "$first")'s operator computed the update adding $(org_msp "$j") to the Application group" "$t"

    t=$(now_ms)
    signers=${IL_SIGNERS:-$(cu_majority_orgs | tr '\n' ' ')}
    # shellcheck disable=SC2086
    sign_submit_and_await "$dir" $signers
    record_members $(org_indexes) "$j"
    phase_done "3/6 the update signed by $(for k in $signers; do printf '%s ' "$(org_msp "$k")"; done)(MAJORITY of Admins), committed" "$t"
  fi

  t=$(now_ms)
  processes_managed_here && ! node_alive "$(peer_name "$j")" && start_peer "$j"
  await_healthy "$(peer_name "$j")" "$(peer_ops_endpoint "$j")"
  if ! peer_joined "$j"; then
    if [[ $from == snapshot ]]; then
      join_from_snapshot "$j" "$first"
    else
      wait_for "$(peer_name "$j") to join from the genesis block" 60 join_from_genesis "$j" || die "$(peer_name "$j") could not join"
    fi
  fi
  wait_for "$(peer_name "$j") to catch up with the other peers" 600 peer_caught_up "$j" || die "$(peer_name "$j") does not catch up"
  height=$(peer_height "$j")
  phase_done "4/6 $(peer_name "$j") joined from the $from and caught up (height $height)" "$t"

  t=$(now_ms)
  id=$(org_package_id "$j")
  chaincode_installed "$j" "$id" || peer_cli "$j" lifecycle chaincode install "$PACKAGE_DIR/org$j/$CHAINCODE_LABEL.tgz" >/dev/null
  processes_managed_here && ! node_alive "$(chaincode_name "$j")" && start_chaincode_server "$j" "$id"
  wait_for "$(org_msp "$j")'s approval of the committed definition (sequence $CHAINCODE_SEQUENCE)" 60 approve_for_org "$j" "$id" \
    || die "$(org_msp "$j") could not approve the committed definition"
  wait_for "the chaincode answering on $(peer_name "$j")" 60 chaincode_answers "$j" || die "the chaincode does not answer on $(peer_name "$j")"
  phase_done "5/6 $(chaincode_name "$j") runs; $(org_msp "$j") approved the committed definition (sequence $CHAINCODE_SEQUENCE, package $id)" "$t"

  t=$(now_ms)
  grep -q "'$(org_msp "$j").member'" "$COLLECTIONS_CONFIG" && chaincode_committed || commit_next_definition
  wait_for "the pseudonym secret to reach $(peer_name "$j")" 120 pseudonym_secret_on "$j" || die "$(peer_name "$j") did not receive the pseudonym secret"
  for k in $(org_indexes); do
    wait_for "$(peer_name "$k") to discover $(org_msp "$j")" 90 discovery_sees_all "$k" || die "$(peer_name "$k") does not see every organisation"
  done
  write_network_json
  if [[ "${IL_GATEWAYS:-1}" == 1 ]] && processes_managed_here; then
    ensure_gateway_material
    write_gateways_json
    node_alive "$(gateway_name "$j")" || start_gateway "$j"
    wait_node "$(gateway_name "$j")" 60 gateway_ready "$j" || die "$(gateway_name "$j") is not ready"
  fi
  phase_done "6/6 sequence $CHAINCODE_SEQUENCE committed (pseudonymSecret members: $(org_indexes | tr '\n' ' ')); the secret reached $(peer_name "$j"); every peer discovers it; its gateway runs" "$t"
  phase_done "$(org_msp "$j") joined: $ORG_COUNT organisations, MAJORITY endorsement is now $(( ORG_COUNT / 2 + 1 )) of $ORG_COUNT" "$start"
}

cmd_remove_org() {  # ORG_INDEX
  local j=$1 start t dir signers others=() k
  is_member "$j" || die "$(org_msp "$j") is not a member of channel '$CHANNEL'"
  for k in $(org_indexes); do [[ $k == "$j" ]] || others+=("$k"); done
  (( ${#others[@]} >= 1 )) || die "the last organisation cannot be removed"
  start=$(now_ms)
  t=$(now_ms)
  dir="$IL_HOME/config-updates/remove-org$j-$(date +%s%N)"
  cu_fetch "${others[0]}" "$dir" || die "could not fetch the channel configuration"
  cu_json_edit "$dir/config.json" "$dir/modified.json" "(delete c.channel_group.groups.Application.groups['$(org_msp "$j")'], c)"
  cu_compute "$dir" || die "could not compute the config update"
  # MAJORITY of the current members' admins, the leaving organisation's not needed.
  signers=${IL_SIGNERS:-$(printf '%s\n' "${others[@]}" | head -n $(( ORG_COUNT / 2 + 1 )) | tr '\n' ' ')}
  # shellcheck disable=SC2086
  AWAIT_ORGS="${others[*]}" sign_submit_and_await "$dir" $signers
  record_members "${others[@]}"
  echo "$j" >> "$ORGS_REMOVED_FILE"
  phase_done "1/2 $(org_msp "$j") removed from the channel configuration (signed by $(for k in $signers; do printf '%s ' "$(org_msp "$k")"; done))" "$t"
  t=$(now_ms)
  commit_next_definition
  write_network_json
  [[ -f "$GATEWAY_DIR/gateways.json" ]] && write_gateways_json
  phase_done "2/2 sequence $CHAINCODE_SEQUENCE committed without $(org_msp "$j") in pseudonymSecret" "$t"
  phase_done "$(org_msp "$j") removed: $ORG_COUNT organisations; its records stay on the ledger; its processes still run until 'down'" "$start"
}
