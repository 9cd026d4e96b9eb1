# shellcheck shell=bash
# Fabric binaries: the pinned release, where it lives, how it is built.
# Source after common.sh.

FABRIC_VERSION=3.1.1
FABRIC_COMMIT=435a7f1a780a
# Fabric's module path has no /v3 suffix, so the release is pinned by pseudo-version.
FABRIC_MODULE=github.com/hyperledger/fabric
FABRIC_PSEUDO_VERSION=v1.4.0-rc1.0.20250510200036-435a7f1a780a
FABRIC_COMMANDS=(peer orderer osnadmin configtxgen cryptogen configtxlator discover)
FABRIC_WRAPPER_MODULE="$REPO_ROOT/network/fabric"
# Fabric CA: one CA server per organisation; the client enrols identities. Same folder.
FABRIC_CA_VERSION=1.5.15
FABRIC_CA_MODULE=github.com/hyperledger/fabric-ca
FABRIC_CA_COMMANDS=(fabric-ca-server fabric-ca-client)
FABRIC_CA_WRAPPER_MODULE="$REPO_ROOT/network/fabric-ca"

# FABRIC_BIN may point at existing binaries; otherwise they are built into .fabric/bin.
FABRIC_BIN="${FABRIC_BIN:-$REPO_ROOT/.fabric/bin}"
FABRIC_SAMPLECONFIG="$REPO_ROOT/.fabric/sampleconfig"
export FABRIC_BIN

# binaries_present VERSION_COMMAND VERSION COMMAND...: every COMMAND is in FABRIC_BIN and
# VERSION_COMMAND reports VERSION.
binaries_present() {
  local probe=$1 version=$2 cmd; shift 2
  for cmd in "$@"; do
    [[ -x "$FABRIC_BIN/$cmd" ]] || return 1
  done
  "$FABRIC_BIN/$probe" version 2>/dev/null | grep -q "Version: $version\$"
}

fabric_binaries_present()    { binaries_present peer "$FABRIC_VERSION" "${FABRIC_COMMANDS[@]}"; }
fabric_ca_binaries_present() { binaries_present fabric-ca-server "$FABRIC_CA_VERSION" "${FABRIC_CA_COMMANDS[@]}"; }

# Copies the stock core.yaml / orderer.yaml of the pinned module (kept stock; everything is
# overridden by environment, because unknown keys in orderer.yaml are fatal).
fabric_sampleconfig_present() {
  [[ -f "$FABRIC_SAMPLECONFIG/core.yaml" && -f "$FABRIC_SAMPLECONFIG/orderer.yaml" ]]
}

ensure_fabric_binaries() {
  if fabric_binaries_present && fabric_ca_binaries_present && fabric_sampleconfig_present; then
    return 0
  fi
  "$REPO_ROOT/scripts/fabric-binaries.sh"
}
