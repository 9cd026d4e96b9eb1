#!/usr/bin/env bash
# Builds the pinned Hyperledger Fabric commands from the Go module proxy (no Docker, no
# `go install`, which fails here because the proxy refuses the module's version list).
# Usage: scripts/fabric-binaries.sh [--force]
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/fabric.sh"

usage() {
  cat <<USAGE
Usage: $0 [--force]

Builds Fabric $FABRIC_VERSION (${FABRIC_COMMANDS[*]}) and Fabric CA $FABRIC_CA_VERSION
(${FABRIC_CA_COMMANDS[*]}) into $FABRIC_BIN, and copies Fabric's stock configuration into
$FABRIC_SAMPLECONFIG.
Skips the build when the binaries are present with the right version, or when FABRIC_BIN
points at existing ones. --force rebuilds.
USAGE
}

force=0
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  --force) force=1 ;;
  '') ;;
  *) usage >&2; exit 2 ;;
esac

require_cmd go
start=$(now_ms)
cd "$FABRIC_WRAPPER_MODULE"
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"

if (( force )) || ! fabric_binaries_present; then
  if [[ "$FABRIC_BIN" != "$REPO_ROOT/.fabric/bin" && $force -eq 0 ]]; then
    die "FABRIC_BIN=$FABRIC_BIN does not hold Fabric $FABRIC_VERSION binaries (${FABRIC_COMMANDS[*]})"
  fi
  log "downloading Fabric $FABRIC_VERSION modules (first time: about 2 minutes)"
  go mod download
  log "building ${FABRIC_COMMANDS[*]} (first time: 2-3 minutes on 2 cores)"
  mkdir -p "$FABRIC_BIN"
  pkgs=()
  for cmd in "${FABRIC_COMMANDS[@]}"; do pkgs+=("$FABRIC_MODULE/cmd/$cmd"); done
  go build -buildvcs=false -trimpath \
    -ldflags "-X $FABRIC_MODULE/common/metadata.Version=$FABRIC_VERSION -X $FABRIC_MODULE/common/metadata.CommitSHA=$FABRIC_COMMIT" \
    -o "$FABRIC_BIN/" "${pkgs[@]}"
  fabric_binaries_present || die "built binaries do not report version $FABRIC_VERSION"
  ok "Fabric $FABRIC_VERSION binaries in $FABRIC_BIN"
else
  ok "Fabric $FABRIC_VERSION binaries already in $FABRIC_BIN"
fi

if (( force )) || ! fabric_ca_binaries_present; then
  if [[ "$FABRIC_BIN" != "$REPO_ROOT/.fabric/bin" && $force -eq 0 ]]; then
    die "FABRIC_BIN=$FABRIC_BIN does not hold Fabric CA $FABRIC_CA_VERSION binaries (${FABRIC_CA_COMMANDS[*]})"
  fi
  log "building Fabric CA $FABRIC_CA_VERSION (${FABRIC_CA_COMMANDS[*]}; first time: 1-4 minutes)"
  mkdir -p "$FABRIC_BIN"
  (cd "$FABRIC_CA_WRAPPER_MODULE" && go mod download && go build -buildvcs=false -trimpath \
    -ldflags "-X $FABRIC_CA_MODULE/lib/metadata.Version=$FABRIC_CA_VERSION" \
    -o "$FABRIC_BIN/" "$FABRIC_CA_MODULE/cmd/fabric-ca-server" "$FABRIC_CA_MODULE/cmd/fabric-ca-client")
  fabric_ca_binaries_present || die "built Fabric CA binaries do not report version $FABRIC_CA_VERSION"
  ok "Fabric CA $FABRIC_CA_VERSION binaries in $FABRIC_BIN"
fi

if (( force )) || ! fabric_sampleconfig_present; then
  dir=$(go mod download -json "$FABRIC_MODULE@$FABRIC_PSEUDO_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -d "$dir/sampleconfig" ]] || die "cannot find sampleconfig of $FABRIC_MODULE@$FABRIC_PSEUDO_VERSION (got '$dir')"
  mkdir -p "$FABRIC_SAMPLECONFIG"
  cp "$dir/sampleconfig/core.yaml" "$dir/sampleconfig/orderer.yaml" "$FABRIC_SAMPLECONFIG/"
  chmod u+w "$FABRIC_SAMPLECONFIG"/*.yaml
fi
phase_done "Fabric binaries ready" "$start"
