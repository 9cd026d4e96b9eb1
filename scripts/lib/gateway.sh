# shellcheck shell=bash
# One HTTP gateway per organisation (gateway/): API keys, the network secret shared by the
# gateways (it salts subject pseudonyms per impact category), start and readiness.
# Source after nodes.sh.

GATEWAY_DIR="$IL_HOME/gateway"
gateway_name() { echo "gateway.org$1"; }
gateway_port() { echo $(( 3000 + $1 + PORT_OFFSET )); }
gateway_url()  { echo "http://$(org_address "$1"):$(gateway_port "$1")"; }
gateway_home() { echo "$GATEWAY_DIR/org$1"; }

# Bearer tokens for org J's Admin and User1..5: the plaintext tokens go to tokens.json (mode
# 600, for the local user and the demo), the gateway keeps only their sha256 (api-keys.json).
# Custody (docs/trust-model.md): the gateway signs for the operator (Admin) and the app's
# submitter service account (User1) only; the others sign their own transactions.
CUSTODIAL_USERS=(Admin User1)
write_gateway_keys() {  # ORG_INDEX
  local j=$1 home user token custody keys='' tokens='' sep=''
  home=$(gateway_home "$j")
  mkdir -p "$home"
  umask 077
  for user in Admin User1 User2 User3 User4 User5; do
    token=$(openssl rand -hex 24)
    custody=client
    [[ " ${CUSTODIAL_USERS[*]} " == *" $user "* ]] && custody=gateway
    keys+="$sep{\"sha256\":\"$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)\",\"user\":\"$user@$(org_domain "$j")\",\"label\":\"$user\",\"custody\":\"$custody\"}"
    tokens+="$sep\"$user\":\"$token\""
    sep=','
  done
  printf '{"keys":[%s]}\n' "$keys" > "$home/api-keys.json"
  printf '{%s}\n' "$tokens" > "$home/tokens.json"
}

ensure_gateway_material() {
  local j
  mkdir -p "$GATEWAY_DIR"
  [[ -f "$GATEWAY_DIR/network-secret" ]] || (umask 077; openssl rand -hex 32 > "$GATEWAY_DIR/network-secret")
  for j in $(org_indexes); do
    # keys written before custody was declared are rewritten (new tokens)
    grep -q '"custody"' "$(gateway_home "$j")/api-keys.json" 2>/dev/null || write_gateway_keys "$j"
  done
}

gateway_ready() {  # ORG_INDEX
  curl -fsS --max-time 3 "$(gateway_url "$1")/ready" >/dev/null
}

# The settings of org J's gateway (KEY=VALUE lines; the network secret included, so the output
# is secret).
gateway_settings() {  # ORG_INDEX
  local j=$1 home
  home=$(gateway_home "$j")
  printf '%s\n' "IL_GATEWAY_MSP_ID=$(org_msp "$j")" "IL_NETWORK_JSON=$NETWORK_JSON" "IL_GATEWAY_HOST=$(org_address "$j")" \
    "IL_GATEWAY_PORT=$(gateway_port "$j")" "IL_GATEWAY_API_KEYS=$home/api-keys.json" "IL_GATEWAY_DATA_DIR=$home/data" \
    "IL_NETWORK_SECRET=$(cat "$GATEWAY_DIR/network-secret")" NODE_ENV=production
}

start_gateway() {  # ORG_INDEX
  local j=$1 settings
  mapfile -t settings < <(gateway_settings "$j")
  spawn "$(gateway_name "$j")" env "${settings[@]}" "$(command -v node)" "$REPO_ROOT/gateway/dist/server.js"
}

# gateways.json: each gateway's MSP, URL and the demo tokens (for the seeder and the README).
write_gateways_json() {
  local j sep=''
  {
    printf '['
    for j in $(org_indexes); do
      printf '%s\n  {"mspId":"%s","url":"%s","tokens":%s}' "$sep" "$(org_msp "$j")" "$(gateway_url "$j")" "$(cat "$(gateway_home "$j")/tokens.json")"
      sep=','
    done
    printf '\n]\n'
  } > "$GATEWAY_DIR/gateways.json.tmp"
  chmod 600 "$GATEWAY_DIR/gateways.json.tmp"
  mv "$GATEWAY_DIR/gateways.json.tmp" "$GATEWAY_DIR/gateways.json"  # whole, for readers meanwhile
}

seed_demo() {
  local start
  start=$(now_ms)
  log "seeding demo data through the gateways (roles, protocol commute-modal-shift v1, credentials)"
  node "$REPO_ROOT/gateway/dist/demo/seed.js" "$GATEWAY_DIR/gateways.json" "$IL_HOME/demo" "$NETWORK_JSON" >&2 \
    || die "demo seeding failed; gateway logs: $(log_file "$(gateway_name 1)")"
  phase_done "demo data" "$start"
}

start_gateways() {
  local j start
  start=$(now_ms)
  ensure_gateway_material
  write_gateways_json
  for j in $(org_indexes); do
    node_alive "$(gateway_name "$j")" || start_gateway "$j"
  done
  for j in $(org_indexes); do
    wait_node "$(gateway_name "$j")" 60 gateway_ready "$j" \
      || die "$(gateway_name "$j") is not ready; see $(log_file "$(gateway_name "$j")")"
  done
  phase_done "$ORG_COUNT gateways ready" "$start"
}
