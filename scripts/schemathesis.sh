#!/usr/bin/env bash
# Schemathesis (pinned, from PyPI, installed into a venv under build/) against a running gateway's
# OpenAPI document: no 5xx, every response matches its declared status, content type and schema.
# Usage: scripts/schemathesis.sh URL TOKEN MAX_EXAMPLES SEED REPORT_DIR
#   URL    the gateway's base URL (http://127.0.0.1:3401)   TOKEN  a bearer token of that gateway
# IL_SCHEMATHESIS_MAX_TIME=SECONDS repeats fuzzing and stateful phases until spent;
# IL_SCHEMATHESIS_WORKERS=N requests in flight (default 2).
# Writes REPORT_DIR/requests.har (every request and response); prints the request count.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

SCHEMATHESIS_VERSION=4.32.5
VENV="$REPO_ROOT/build/schemathesis-venv"

# The newest Python >= 3.12 on the machine (PATH, then pyenv's versions), else python3: CPython
# 3.11.7 crashes inside Schemathesis now and then ("AST constructor recursion depth mismatch").
pick_python() {
  local candidate
  for candidate in python3.13 python3.12 "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  require_cmd python3
  command -v python3
}

ensure_schemathesis() {
  local python wanted
  python=$(pick_python)
  wanted=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  if [[ -x "$VENV/bin/schemathesis" ]] && "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$SCHEMATHESIS_VERSION' or '%d.%d' % sys.version_info[:2] != '$wanted')" 2>/dev/null; then
    return 0
  fi
  log "installing schemathesis $SCHEMATHESIS_VERSION into $VENV (with $("$python" --version 2>&1))"
  rm -rf "$VENV"
  if ! "$python" -m venv "$VENV" >&2 2>/dev/null; then
    # Debian's python3 ships venv/ensurepip separately
    apt-get install -y python3-venv >&2 || die "python3 -m venv is not available (apt-get install python3-venv)"
    "$python" -m venv "$VENV" >&2
  fi
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
}

[[ $# -eq 5 ]] || die "usage: $0 URL TOKEN MAX_EXAMPLES SEED REPORT_DIR"
url=$1 token=$2 examples=$3 seed=$4 report_dir=$5
ensure_schemathesis
mkdir -p "$report_dir"
rm -f "$report_dir/requests.har"
set +e
"$VENV/bin/schemathesis" run "$url/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --exclude-path /v1/events \
  --phases coverage,fuzzing,stateful \
  --max-examples "$examples" --seed "$seed" ${IL_SCHEMATHESIS_MAX_TIME:+--max-time "$IL_SCHEMATHESIS_MAX_TIME"} \
  --workers "${IL_SCHEMATHESIS_WORKERS:-2}" --request-timeout 30 --no-color \
  --report har --report-har-path "$report_dir/requests.har"
status=$?
set -e
count=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['log']['entries']))" "$report_dir/requests.har" 2>/dev/null || echo 0)
echo "schemathesis: $count requests (seed $seed, max examples $examples per operation), exit status $status"
exit "$status"
