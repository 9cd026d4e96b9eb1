# shellcheck shell=bash
# One HTTP gateway per organisation (gateway/): API keys, the network secret shared by the
# gateways (it salts subject pseudonyms per impact category), start and readiness.
# Source after nodes.sh.

GATEWAY_DIR="$IL_HOME/gateway"
gateway_name() { echo "gateway.org$1"; }
gateway_port() { echo $(( 3000 + $1 + PORT_OFFSET )); }
gateway_url()  { echo "http://127.0.0.1:$(gateway_port "$1")"; }
gateway_home() { echo "$GATEWAY_DIR/org$1"; }

# Bearer tokens for org J's Admin and User1..5: the plaintext tokens go to tokens.json (mode
# 600, for the local user and the demo), the gateway keeps only their sha256 (api-keys.json).
write_gateway_keys() {  # ORG_INDEX
  local j=$1 home user token keys='' tokens='' sep=''
  home=$(gateway_home "$j")
  mkdir -p "$home"
  umask 077
  for user in Admin User1 User2 User3 User4 User5; do
    token=$(openssl rand -hex 24)
    keys+="$sep{\"sha256\":\"$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)\",\"user\":\"$user@$(org_domain "$j")\",\"label\":\"$user\"}"
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
    [[ -f "$(gateway_home "$j")/api-keys.json" ]] || write_gateway_keys "$j"
  done
}

gateway_ready() {  # ORG_INDEX
  curl -fsS --max-time 3 "$(gateway_url "$1")/ready" >/dev/null
}

start_gateway() {  # ORG_INDEX
  local j=$1 home
  home=$(gateway_home "$j")
  spawn "$(gateway_name "$j")" env \
    IL_GATEWAY_MSP_ID="$(org_msp "$j")" \
    IL_NETWORK_JSON="$NETWORK_JSON" \
    IL_GATEWAY_HOST=127.0.0.1 \
    IL_GATEWAY_PORT="$(gateway_port "$j")" \
    IL_GATEWAY_API_KEYS="$home/api-keys.json" \
    IL_GATEWAY_DATA_DIR="$home/data" \
    IL_NETWORK_SECRET="$(cat "$GATEWAY_DIR/network-secret")" \
    NODE_ENV=production \
    "$(command -v node)" "$REPO_ROOT/gateway/dist/server.js"
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
  node "$REPO_ROOT/gateway/dist/demo/seed.js" "$GATEWAY_DIR/gateways.json" "$IL_HOME/demo" >&2 \
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
