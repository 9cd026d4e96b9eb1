# shellcheck shell=bash
# Channel configuration updates, the way Fabric does them between organisations: fetch the
# current config block as an organisation's admin, decode it (configtxlator), change the JSON,
# compute the update, wrap it in an envelope, collect the admins' signatures one organisation
# at a time (each with its own admin MSP), submit. Used by `revoke-user` (a CRL into an
# organisation's MSP) and meant for joining an organisation later. Source after nodes.sh.
#
# Policies (network/configtx): a change to one organisation's group (its MSP, with its CRLs)
# needs that organisation's Admins; a change to the Application group itself (a new
# organisation, its policies, ACLs) needs MAJORITY of the application organisations' Admins.
#
#   cu_fetch ORG WORKDIR                 -> WORKDIR/config.json (the channel's current config)
#   cu_compute WORKDIR                   WORKDIR/{config,modified}.json -> WORKDIR/update.pb
#                                        (a signed-nothing-yet envelope; fails on "no change")
#   cu_sign ORG WORKDIR                  adds ORG's admin signature to WORKDIR/update.pb
#   cu_submit ORG WORKDIR                ORG's admin signs too and sends it to the orderer
#   cu_json_edit IN OUT 'js expression'  OUT = the expression applied to `c` (IN's JSON) in node

_configtxlator() { "$FABRIC_BIN/configtxlator" "$@"; }

# cu_json_edit IN OUT EXPRESSION: node evaluates EXPRESSION with `c` bound to IN's JSON (it may
# mutate `c` or return a new value; undefined keeps `c`) and writes OUT. No jq needed.
cu_json_edit() {  # IN OUT EXPRESSION
  node -e '
    const fs = require("fs");
    const [, inFile, outFile, expr] = process.argv;
    const c = JSON.parse(fs.readFileSync(inFile, "utf8"));
    const r = new Function("c", `return (${expr});`)(c);
    fs.writeFileSync(outFile, JSON.stringify(r === undefined ? c : r, null, 2));
  ' "$1" "$2" "$3"
}

cu_fetch() {  # ORG WORKDIR
  local j=$1 dir=$2
  mkdir -p "$dir"
  peer_cli "$j" channel fetch config "$dir/config_block.pb" -c "$CHANNEL" $(orderer_args) 2>"$dir/fetch.log" \
    || { cat "$dir/fetch.log" >&2; return 1; }
  _configtxlator proto_decode --input "$dir/config_block.pb" --type common.Block --output "$dir/config_block.json" || return 1
  cu_json_edit "$dir/config_block.json" "$dir/config.json" 'c.data.data[0].payload.data.config'
  cp "$dir/config.json" "$dir/modified.json"
}

cu_compute() {  # WORKDIR
  local dir=$1
  _configtxlator proto_encode --input "$dir/config.json" --type common.Config --output "$dir/config.pb" || return 1
  _configtxlator proto_encode --input "$dir/modified.json" --type common.Config --output "$dir/modified.pb" || return 1
  _configtxlator compute_update --channel_id "$CHANNEL" --original "$dir/config.pb" --updated "$dir/modified.pb" \
    --output "$dir/config_update.pb" 2>"$dir/compute.log" || { cat "$dir/compute.log" >&2; return 1; }
  _configtxlator proto_decode --input "$dir/config_update.pb" --type common.ConfigUpdate --output "$dir/config_update.json" || return 1
  node -e '
    const fs = require("fs");
    const [, dir, channel] = process.argv;
    const update = JSON.parse(fs.readFileSync(`${dir}/config_update.json`, "utf8"));
    const envelope = { payload: { header: { channel_header: { channel_id: channel, type: 2 } }, data: { config_update: update } } };
    fs.writeFileSync(`${dir}/update_envelope.json`, JSON.stringify(envelope));
  ' "$dir" "$CHANNEL"
  _configtxlator proto_encode --input "$dir/update_envelope.json" --type common.Envelope --output "$dir/update.pb"
}

cu_sign() {  # ORG WORKDIR
  peer_cli "$1" channel signconfigtx -f "$2/update.pb" 2>"$2/sign-org$1.log" || { cat "$2/sign-org$1.log" >&2; return 1; }
}

cu_submit() {  # ORG WORKDIR
  peer_cli "$1" channel update -f "$2/update.pb" -c "$CHANNEL" $(orderer_args) 2>"$2/submit.log" \
    || { cat "$2/submit.log" >&2; return 1; }
}

# The organisations whose admins sign a change to the Application group: a majority of them.
cu_majority_orgs() {
  local need=$(( ORG_COUNT / 2 + 1 ))
  org_indexes | head -n "$need"
}

# Sequence number of the config group of organisation J in WORKDIR/config.json (for checks).
cu_org_msp_json() {  # WORKDIR ORG
  node -e '
    const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(JSON.stringify(c.channel_group.groups.Application.groups[process.argv[2]].values.MSP));
  ' "$1/config.json" "$(org_msp "$2")"
}

# Number of the channel's latest config block, as the orderer serves it (fetched as ORG's admin).
cu_config_block_number() {  # ORG
  local tmp n
  tmp=$(mktemp -d)
  peer_cli "$1" channel fetch config "$tmp/block.pb" -c "$CHANNEL" $(orderer_args) 2>/dev/null \
    && _configtxlator proto_decode --input "$tmp/block.pb" --type common.Block --output "$tmp/block.json" \
    && n=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).header.number)' "$tmp/block.json")
  rm -rf "$tmp"
  [[ -n ${n:-} ]] && echo "$n"
}
