# shellcheck shell=bash
# `network.sh env PARTY`: what one party (an organisation index, or "orderer") needs to run its
# nodes on a host of its own, from the very functions that start them here (nodes.sh, ca.sh,
# gateway.sh), and what it hands the other parties. Written to $IL_HOME/hosts/<party>/:
#   <node>.env        the node's whole environment (peer, orderers, gateway), one KEY='value' a
#                     line: `set -a; . <node>.env; set +a` before starting it, or systemd's
#                     EnvironmentFile=
#   <node>.args       the node's command line (CA, on the server home `up`/`generate` initialised;
#                     chaincode server), one argument a line
#   exchange/         what the party gives the others, and nothing secret: its organisation MSP
#                     (msp/: CA root, TLS root, NodeOU config), its TLS root, and endpoints.txt
#                     (its anchor peer, or its orderers' endpoints and TLS certificates)
# Paths are this machine's; on another host, copy the party's folders (topology.sh: party_dir,
# the ledgers, the chaincode and gateway folders) to the same paths or edit them. Source after
# gateway.sh and chaincode.sh.

hosts_dir() { echo "$IL_HOME/hosts/$1"; }

# KEY=VALUE lines -> KEY='VALUE' lines (values may hold spaces; none holds a quote).
_quoted_env() { sed -e "s/^\([A-Za-z_][A-Za-z0-9_]*\)=\(.*\)$/\1='\2'/"; }

write_party_exchange() {  # PARTY
  local p=$1 out i
  out="$(hosts_dir "$p")/exchange"
  rm -rf "$out" && mkdir -p "$out"
  cp -r "$(party_dir "$p")/msp" "$out/msp"
  cp "$(party_dir "$p")/tlsca/tlsca.$(party_domain "$p")-cert.pem" "$out/"
  {
    echo "# $(party_msp "$p"): endpoints the other parties dial (TLS host name, address:port)"
    if [[ $p == orderer ]]; then
      for i in $(orderer_indexes); do
        echo "orderer $(orderer_host "$i") $(orderer_dial_host "$i"):$(orderer_port "$i") tls-cert=$(orderer_host "$i").crt"
        cp "$(orderer_dir "$i")/tls/server.crt" "$out/$(orderer_host "$i").crt"
      done
    else
      echo "anchor-peer $(peer_host "$p") $(peer_dial_host "$p"):$(peer_port "$p")"
    fi
  } > "$out/endpoints.txt"
}

cmd_env() {  # PARTY
  local p=$1 out i
  [[ $p == orderer ]] || { [[ $p =~ ^[0-9]+$ ]] && (( p >= 1 && p <= ORG_COUNT )); } || die "PARTY must be orderer or 1..$ORG_COUNT"
  [[ -d "$(party_dir "$p")/msp" ]] || die "no material for $(party_msp "$p") in $IL_HOME (run up or generate first)"
  out=$(hosts_dir "$p")
  mkdir -p "$out"
  ca_server_args "$p" > "$out/$(ca_name "$p").args"
  if [[ $p == orderer ]]; then
    for i in $(orderer_indexes); do orderer_settings "$i" | _quoted_env > "$out/$(orderer_name "$i").env"; done
  else
    peer_settings "$p" | _quoted_env > "$out/$(peer_name "$p").env"
    chaincode_server_args "$p" "$(org_package_id "$p")" > "$out/$(chaincode_name "$p").args"
    ensure_gateway_material
    (umask 077; gateway_settings "$p" | _quoted_env > "$out/$(gateway_name "$p").env")
  fi
  write_party_exchange "$p"
  ok "$(party_msp "$p") on its own host (address $(party_address "$p")): $out"
  find "$out" -maxdepth 1 -type f -printf '  %f\n' | sort
  printf '  exchange/ (give this to the other parties)\n'
}
