# shellcheck shell=bash
# Each organisation's own Fabric CA, and the ordering organisation's: a node like the others
# (pid, log, `status`), listening with TLS on its own port. It enrols its organisation's peer or
# orderers, its admin (the operator), its users and its chaincode server's TLS certificate. Every
# key is made by fabric-ca-client in the folder of the identity that holds it (only a CSR goes to
# the CA) and no organisation's folder holds another's private keys.
# Parties are named as in topology.sh: an organisation index, or "orderer". Source after nodes.sh.

# The layout each enrolled identity gets is the one Fabric's tools expect (and cryptogen made):
#   <party>/msp/{cacerts/ca.pem,tlscacerts/tlsca.pem,config.yaml}      the organisation's MSP
#   <party>/tlsca/tlsca.<domain>-cert.pem                                its TLS root
#   <node or user>/msp/{signcerts/<id>-cert.pem,keystore/*_sk,cacerts/ca.pem,config.yaml}
#   <node or user>/tls/{ca.crt,server.crt,server.key | client.crt,client.key}
# One CA issues both the identities and the TLS certificates (its "tls" enrolment profile).

ca_registrar_home() { echo "$(party_dir "$1")/ca/registrar"; }
ca_url()            { echo "https://$(party_address "$1"):$(ca_port "$1")"; }

# A random secret (hex), for the CA's bootstrap registrar and each registered identity.
random_secret() { openssl rand -hex 16; }

# The bootstrap registrar's secret reaches fabric-ca-server only once, at `init`, through its
# environment (a command line is readable by every local user; /proc/PID/environ only by the
# owner), and is then taken out of the config file init writes: the CA database keeps only its
# bcrypt hash. The secret itself stays in the CA's own folder (mode 600) for the registrar's
# enrolment.
init_ca() {  # PARTY
  local p=$1 home boot
  home=$(ca_home "$p")
  [[ -f "$home/fabric-ca-server.db" ]] && return 0
  mkdir -p "$home" "$LOG_DIR"
  boot="$home/bootstrap-registrar"
  [[ -f $boot ]] || (umask 077; echo "registrar:$(random_secret)" > "$boot")
  FABRIC_CA_SERVER_BOOT="$(cat "$boot")" "$FABRIC_BIN/fabric-ca-server" init --home "$home" \
    --csr.cn "$(ca_host "$p")" --csr.hosts "$(ca_host "$p"),$(party_address "$p")" \
    >> "$(log_file "$(ca_name "$p")")" 2>&1 || die "could not initialise $(ca_name "$p"); see $(log_file "$(ca_name "$p")")"
  scrub_bootstrap_identity "$home/fabric-ca-server-config.yaml"
}

# Empties the registry.identities list of a fabric-ca-server config file (the bootstrap entry
# init wrote, with its password in clear).
scrub_bootstrap_identity() {  # CONFIG_FILE
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  awk '
    /^registry:/ { in_registry = 1 }
    /^[^ #]/ && !/^registry:/ { in_registry = 0 }
    in_registry && /^  identities:/ { print; skipping = 1; next }
    skipping && /^     *- name:|^       / { next }
    { skipping = 0; print }
  ' "$1" > "$tmp" && mv "$tmp" "$1" || die "could not remove the bootstrap identity from $1"
  ! grep -q '^ *pass:' "$1" || die "$1 still holds a password after init"
}

# The command line of PARTY's CA (on a server home init_ca made), one argument a line.
ca_server_args() {  # PARTY
  local p=$1
  printf '%s\n' "$FABRIC_BIN/fabric-ca-server" start --home "$(ca_home "$p")" \
    --address "$(party_address "$p")" --port "$(ca_port "$p")" --tls.enabled \
    --csr.cn "$(ca_host "$p")" --csr.hosts "$(ca_host "$p"),$(party_address "$p")" \
    --operations.listenaddress "$(ca_ops_endpoint "$p")" --metrics.provider prometheus
}

start_ca() {  # PARTY
  local p=$1 args
  init_ca "$p"
  mapfile -t args < <(ca_server_args "$p")
  spawn "$(ca_name "$p")" "${args[@]}"
}

# fabric-ca-client for PARTY's CA, with client home HOME (where its config file goes).
ca_client() {  # PARTY HOME fabric-ca-client-args...
  local p=$1 home=$2; shift 2
  FABRIC_CA_CLIENT_HOME="$home" "$FABRIC_BIN/fabric-ca-client" "$@" --tls.certfiles "$(ca_root_cert "$p")" \
    --loglevel warning
}

# Writes the NodeOU configuration of an MSP folder whose CA certificate is cacerts/ca.pem: the
# OU of a certificate (admin, peer, orderer, client) classifies it; the chaincode reads it.
write_node_ous() {  # MSP_DIR
  local ou
  {
    echo 'NodeOUs:'
    echo '  Enable: true'
    for ou in Client:client Peer:peer Admin:admin Orderer:orderer; do
      printf '  %sOUIdentifier:\n    Certificate: cacerts/ca.pem\n    OrganizationalUnitIdentifier: %s\n' "${ou%%:*}" "${ou#*:}"
    done
  } > "$1/config.yaml"
}

# Registers ID (of TYPE) at PARTY's CA as its registrar and prints the one-time secret.
ca_register() {  # PARTY ID TYPE
  local p=$1 secret
  secret=$(random_secret)
  ca_client "$p" "$(ca_registrar_home "$p")" register -u "$(ca_url "$p")" \
    --id.name "$2" --id.type "$3" --id.secret "$secret" --id.affiliation '' >/dev/null \
    || die "could not register $2 at $(ca_name "$p")"
  echo "$secret"
}

# Enrols ID into DIR (DIR/msp, and DIR/tls when a TLS role is given: server or client), with a
# key made here. HOSTS are the TLS certificate's names.
ca_enroll() {  # PARTY ID SECRET DIR [TLS_ROLE HOSTS]
  local p=$1 id=$2 secret=$3 dir=$4 tls_role=${5:-} hosts=${6:-} tmp key
  local url
  url="https://$id:$secret@$(party_address "$p"):$(ca_port "$p")"
  mkdir -p "$dir"
  tmp=$(mktemp -d "$dir/.enroll.XXXXXX")
  ca_client "$p" "$tmp" enroll -u "$url" -M "$tmp/msp" --csr.names "O=$(party_msp "$p")" ${hosts:+--csr.hosts "$hosts"} >/dev/null \
    || die "could not enrol $id at $(ca_name "$p")"
  rm -rf "$dir/msp"
  mkdir -p "$dir/msp/signcerts" "$dir/msp/cacerts" "$dir/msp/tlscacerts"
  mv "$tmp/msp/keystore" "$dir/msp/keystore"
  mv "$tmp/msp/signcerts/cert.pem" "$dir/msp/signcerts/$id-cert.pem"
  cp "$(ca_root_cert "$p")" "$dir/msp/cacerts/ca.pem"
  cp "$(ca_root_cert "$p")" "$dir/msp/tlscacerts/tlsca.pem"
  write_node_ous "$dir/msp"
  if [[ -n $tls_role ]]; then
    ca_client "$p" "$tmp" enroll -u "$url" -M "$tmp/tls" --enrollment.profile tls --csr.names "O=$(party_msp "$p")" --csr.hosts "$hosts" >/dev/null \
      || die "could not enrol the TLS certificate of $id at $(ca_name "$p")"
    mkdir -p "$dir/tls"
    key=$(find "$tmp/tls/keystore" -name '*_sk' -print -quit)
    mv "$key" "$dir/tls/$tls_role.key"
    mv "$tmp/tls/signcerts/cert.pem" "$dir/tls/$tls_role.crt"
    cp "$(ca_root_cert "$p")" "$dir/tls/ca.crt"
    chmod 600 "$dir/tls/$tls_role.key"
  fi
  rm -rf "$tmp"
}

# The organisation's own MSP folder (what the channel configuration holds: no private key).
write_party_msp() {  # PARTY
  local p=$1 dir domain
  dir=$(party_dir "$p")
  domain=$(party_domain "$p")
  mkdir -p "$dir/msp/cacerts" "$dir/msp/tlscacerts" "$dir/tlsca" "$dir/ca"
  cp "$(ca_root_cert "$p")" "$dir/msp/cacerts/ca.pem"
  cp "$(ca_root_cert "$p")" "$dir/msp/tlscacerts/tlsca.pem"
  cp "$(ca_root_cert "$p")" "$dir/tlsca/tlsca.$domain-cert.pem"
  cp "$(ca_root_cert "$p")" "$dir/ca/ca.$domain-cert.pem"
  write_node_ous "$dir/msp"
}

# register_and_enroll PARTY ID TYPE DIR [TLS_ROLE HOSTS]
register_and_enroll() {
  local secret
  secret=$(ca_register "$1" "$2" "$3")
  ca_enroll "$1" "$2" "$secret" "$4" "${5:-}" "${6:-}"
}

# run_all COMMAND-LINE...: runs each (a string for eval) in the background, fails if any failed.
run_all() {
  local command pids=() pid failed=0
  for command in "$@"; do eval "$command" & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  return "$failed"
}

# Everything the ordering organisation needs: its orderers (identity and TLS) and its admin.
enroll_orderer_org() {
  local i host jobs=() domain=$ORDERER_DOMAIN
  for i in $(seq 0 3); do  # four orderers: Raft uses the first three, BFT all four
    host=$(orderer_host "$i")
    jobs+=("register_and_enroll orderer $host orderer '$(orderer_dir "$i")' server '$host,$(orderer_address)'")
  done
  jobs+=("register_and_enroll orderer 'Admin@$domain' admin '$(orderer_admin_msp)' client localhost")
  run_all "${jobs[@]}"
}

# Everything organisation J needs: its peer, its admin (the operator), its users, and the TLS
# certificate of its chaincode server.
enroll_peer_org() {  # ORG_INDEX
  local j=$1 u domain host jobs=()
  domain=$(org_domain "$j")
  host=$(peer_host "$j")
  jobs+=("register_and_enroll $j $host peer '$(peer_dir "$j")' server '$host,$(org_address "$j")'")
  # Users and the admin also get a TLS client certificate (mutual TLS to their gateway).
  jobs+=("register_and_enroll $j 'Admin@$domain' admin '$(org_user_dir "$j" Admin)' client localhost")
  for u in "${!USER_ROLES[@]}"; do
    jobs+=("register_and_enroll $j 'User$(( u + 1 ))@$domain' client '$(org_user_dir "$j" "User$(( u + 1 ))")' client localhost")
  done
  jobs+=("register_and_enroll $j 'chaincode.$domain' client '$(party_dir "$j")/chaincode-server' server 'chaincode.$domain,$(org_address "$j")'")
  run_all "${jobs[@]}"
}

ca_ready() {  # PARTY
  healthz "$(ca_ops_endpoint "$1")" && [[ -s "$(ca_root_cert "$1")" ]]
}

# Starts every CA that is not running and waits until each answers.
start_cas() {
  local p
  for p in $(ca_parties); do
    node_alive "$(ca_name "$p")" || { log "starting $(ca_name "$p")"; start_ca "$p"; }
  done
  for p in $(ca_parties); do
    wait_node "$(ca_name "$p")" 60 ca_ready "$p" || die "$(ca_name "$p") did not start; see $(log_file "$(ca_name "$p")")"
  done
}

# PARTY's CA enrols its registrar, then every identity of PARTY; writes PARTY's MSP folder.
enroll_party() {  # PARTY
  local p=$1
  (
    mkdir -p "$(ca_registrar_home "$p")"
    ca_client "$p" "$(ca_registrar_home "$p")" enroll -u "https://$(cat "$(ca_home "$p")/bootstrap-registrar")@$(party_address "$p"):$(ca_port "$p")" \
      -M "$(ca_registrar_home "$p")/msp" >/dev/null || die "could not enrol the registrar of $(ca_name "$p")"
    write_party_msp "$p"
    if [[ $p == orderer ]]; then enroll_orderer_org; else enroll_peer_org "$p"; fi
  )
}

# Each organisation's CA enrols its own identities (in parallel, one job per organisation).
enroll_all() {
  local p pids=() failed=0
  for p in $(ca_parties); do
    enroll_party "$p" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  (( failed == 0 )) || die "enrolment through the organisations' CAs failed (see above)"
}
