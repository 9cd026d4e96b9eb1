# shellcheck shell=bash
# network.json: what a client (gateway, tests, benchmarks) needs to reach this network. Each node
# has its TLS host name ("host", what a gRPC client puts in ssl_target_name_override) and the
# endpoint it is dialled at; each party the loopback address its nodes listen on ("address", see
# topology.sh). With IL_HOST_MODE=docker the endpoints are the containers' names (for gateways in
# containers).
# Source after topology.sh.

_json_user() {  # ORG_INDEX USER_NAME ROLE
  local dir msp
  dir=$(org_user_dir "$1" "$2")
  msp="$dir/msp"
  printf '{"name":"%s","role":"%s","certPath":"%s","keyDir":"%s"}' \
    "$2@$(org_domain "$1")" "$3" "$msp/signcerts/$2@$(org_domain "$1")-cert.pem" "$msp/keystore"
}

write_network_json() {
  local i j u first=1 sep
  {
    printf '{\n  "channel": "%s",\n  "chaincode": "%s",\n  "consensus": "%s",\n' "$CHANNEL" "$CHAINCODE_NAME" "$CONSENSUS"
    printf '  "home": "%s",\n  "ordererTlsCa": "%s",\n  "ordererAddress": "%s",\n  "orderers": [\n' "$IL_HOME" "$(orderer_tls_ca)" "$(orderer_address)"
    for i in $(orderer_indexes); do
      (( first )) && sep='' || sep=','
      first=0
      printf '%s    {"name":"%s","host":"%s","endpoint":"%s","adminEndpoint":"%s:%s","operations":"http://%s"}\n' \
        "$sep" "$(orderer_name "$i")" "$(orderer_host "$i")" "$(node_address_host orderer "$i"):$(orderer_port "$i")" "$(orderer_address)" "$(orderer_admin_port "$i")" "$(orderer_ops_endpoint "$i")"
    done
    printf '  ],\n  "orgs": [\n'
    first=1
    for j in $(org_indexes); do
      (( first )) && sep='' || sep=','
      first=0
      printf '%s    {"mspId":"%s","domain":"%s","address":"%s","peer":{"name":"%s","host":"%s","endpoint":"%s","tlsRootCertPath":"%s","operations":"http://%s"},\n' \
        "$sep" "$(org_msp "$j")" "$(org_domain "$j")" "$(org_address "$j")" "$(peer_name "$j")" "$(peer_host "$j")" "$(node_address_host peer "$j"):$(peer_port "$j")" "$(peer_tls_ca "$j")" "$(peer_ops_endpoint "$j")"
      printf '     "chaincodeServer":{"name":"%s","address":"%s:%s"},\n' "$(chaincode_name "$j")" "$(chaincode_dial_host "$j")" "$(chaincode_port "$j")"
      printf '     "admin":%s,\n     "users":[' "$(_json_user "$j" Admin operator)"
      for u in "${!USER_ROLES[@]}"; do
        (( u == 0 )) || printf ','
        _json_user "$j" "User$(( u + 1 ))" "${USER_ROLES[$u]}"
      done
      printf ']}\n'
    done
    printf '  ]\n}\n'
  } > "$NETWORK_JSON.tmp"
  # Renamed into place: a client reading it meanwhile (add-org on a running network) never sees half.
  mv "$NETWORK_JSON.tmp" "$NETWORK_JSON"
}
