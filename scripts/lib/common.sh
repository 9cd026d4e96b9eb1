# shellcheck shell=bash
# Shared helpers for impact-ledger scripts: strict mode, logging, paths, polling.
# Source it; do not run it.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export REPO_ROOT

# Where a network's generated material, ledgers, logs and pids live. Tests use their own home.
IL_HOME="${IL_HOME:-$REPO_ROOT/network/data}"
export IL_HOME

if [[ -t 2 && -z "${NO_COLOR:-}" ]]; then
  _c_info=$'\e[36m' _c_ok=$'\e[32m' _c_warn=$'\e[33m' _c_err=$'\e[31m' _c_off=$'\e[0m'
else
  _c_info='' _c_ok='' _c_warn='' _c_err='' _c_off=''
fi

_ts() { date +%H:%M:%S; }
log()  { printf '%s %s==>%s %s\n' "$(_ts)" "$_c_info" "$_c_off" "$*" >&2; }
ok()   { printf '%s %s ok%s %s\n' "$(_ts)" "$_c_ok" "$_c_off" "$*" >&2; }
warn() { printf '%s %swarn%s %s\n' "$(_ts)" "$_c_warn" "$_c_off" "$*" >&2; }
die()  { printf '%s %serror%s %s\n' "$(_ts)" "$_c_err" "$_c_off" "$*" >&2; exit 1; }

# Seconds since the epoch with millisecond precision, for phase timings.
now_ms() { date +%s%3N; }

# phase NAME START_MS: logs how long a phase took.
phase_done() {
  local name=$1 start=$2 end
  end=$(now_ms)
  ok "$name ($(( (end - start) / 1000 )).$(( (end - start) % 1000 / 100 ))s)"
}

# wait_for DESCRIPTION TIMEOUT_SECONDS COMMAND...: polls COMMAND (every 0.5 s) until it succeeds.
# Readiness is always asked of the component itself; this only repeats the question.
wait_for() {
  local what=$1 timeout=$2; shift 2
  local deadline=$(( $(date +%s) + timeout ))
  WAIT_FOR_ABORT=0
  until "$@" >/dev/null 2>&1; do
    # A check may set WAIT_FOR_ABORT=1 when waiting longer is pointless (the process died).
    (( WAIT_FOR_ABORT )) && return 1
    if (( $(date +%s) >= deadline )); then
      warn "timed out after ${timeout}s waiting for $what; last attempt said:"
      "$@" 2>&1 | tail -n 5 >&2 || true
      return 1
    fi
    sleep 0.5
  done
}

# render_template FILE NAME=VALUE...: FILE with each ${NAME} replaced by VALUE (values may span
# lines). A placeholder left without a value is an error, so a template and its script never drift.
render_template() {
  local file=$1 text pair; shift
  text=$(<"$file") || die "cannot read template $file"
  for pair in "$@"; do
    text=${text//"\${${pair%%=*}}"/"${pair#*=}"}
  done
  if [[ $text =~ \$\{[A-Z_]+\} ]]; then die "template $file: no value for ${BASH_REMATCH[0]}"; fi
  printf '%s\n' "$text"
}

require_cmd() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is required but not installed"
  done
}

# Installs the npm workspaces (on the project's Node.js) when they are missing, older than the
# lock file, or were installed by another Node.js major version.
ensure_node_modules() {
  ensure_node
  local marker="$REPO_ROOT/node_modules/.package-lock.json" node_marker="$REPO_ROOT/node_modules/.il-node-major"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [[ ! -f "$marker" || "$REPO_ROOT/package-lock.json" -nt "$marker" || "$(cat "$node_marker" 2>/dev/null)" != "$major" ]]; then
    log "installing npm packages (npm ci, Node.js $(node --version))"
    (cd "$REPO_ROOT" && npm ci --no-audit --no-fund) >&2
    echo "$major" > "$node_marker"
  fi
}

# Compiles TypeScript projects (incremental): the given ones, or all of them.
ensure_build() {
  log "compiling TypeScript${*:+ ($*)}"
  (cd "$REPO_ROOT" && npx --no-install tsc -b "$@") >&2
  if [[ $# -eq 0 || " $* " == *" gateway "* ]]; then ensure_dashboard; fi
}

# Builds the funder dashboard (gateway/web -> gateway/dist-web, Vite) when its sources changed.
ensure_dashboard() {
  local web="$REPO_ROOT/gateway/web" out="$REPO_ROOT/gateway/dist-web/index.html"
  if [[ -f "$out" && -z "$(find "$web" -newer "$out" -type f -print -quit)" ]]; then return 0; fi
  log "building the dashboard (gateway/web -> gateway/dist-web)"
  (cd "$REPO_ROOT" && npx --no-install tsc -p gateway/web/tsconfig.json && npx --no-install vite build --config gateway/web/vite.config.mjs) >&2
}

source "$REPO_ROOT/scripts/lib/node.sh"
