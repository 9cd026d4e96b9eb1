#!/usr/bin/env bash
# The whole test suite: unit tests, then the integration tests against a real Fabric network
# that the run starts and stops itself (Raft, then BFT). Installs what is missing first.
# Usage: scripts/test.sh [--unit] [--integration] [--join] [--e2e] [--fault] [--raft-only]
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/fabric.sh"

run_unit=0 run_integration=0 run_join=0 run_e2e=0 run_fault=0 consensus_list=(raft bft)
for arg in "$@"; do
  case "$arg" in
    --unit) run_unit=1 ;;
    --integration) run_integration=1 ;;
    --join) run_join=1 ;;
    --e2e) run_e2e=1 ;;
    --fault) run_fault=1 ;;
    --raft-only) consensus_list=(raft) ;;
    -h|--help)
      echo "Usage: $0 [--unit] [--integration] [--join] [--e2e] [--fault] [--raft-only]"
      echo "  default (no selection): unit tests, integration tests on a Raft and on a BFT network,"
      echo "  a fourth organisation joining and leaving each of them under load (--join),"
      echo "  then end-to-end tests (HTTP -> gateways -> a real network), then fault tests under load and"
      echo "  the bad-input campaigns (chaincode argument fuzzer, seeded Schemathesis run) on their own networks"
      exit 0 ;;
    *) die "unknown option '$arg' (see --help)" ;;
  esac
done

if (( run_unit + run_integration + run_join + run_e2e + run_fault == 0 )); then run_unit=1 run_integration=1 run_join=1 run_e2e=1 run_fault=1; fi
start=$(now_ms)
ensure_node_modules
(( run_integration + run_join + run_e2e + run_fault )) && ensure_fabric_binaries
ensure_build

results=$(mktemp)
stages=$(mktemp)
trap 'rm -f "$results" "$stages"' EXIT
failed=0

# run_mocha LABEL [ENV=VALUE...] -- mocha args...: runs one stage and judges it. A stage passes only
# when mocha exits 0 having run at least one test with none failing; one that crashes before (or
# without) running tests fails with the end of its output shown. Its counts join the summary.
run_mocha() {
  local label=$1; shift
  local envs=()
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  log "tests: $label"
  local out status stage_start counts passing failing pending verdict
  out=$(mktemp)
  stage_start=$(now_ms)
  set +e
  env "${envs[@]}" npx --no-install mocha --color "$@" 2>&1 | tee "$out"
  status=${PIPESTATUS[0]}
  set -e
  counts=$(sed 's/\x1b\[[0-9;]*m//g' "$out" | sed -n 's/^ *\([0-9]\+\) \(passing\|failing\|pending\).*/\2 \1/p')
  passing=$(awk '$1=="passing"{s+=$2} END{print s+0}' <<<"$counts")
  failing=$(awk '$1=="failing"{s+=$2} END{print s+0}' <<<"$counts")
  pending=$(awk '$1=="pending"{s+=$2} END{print s+0}' <<<"$counts")
  [[ -n "$counts" ]] && printf '%s\n' "$counts" >> "$results"
  if (( status == 0 && failing == 0 && passing > 0 )); then
    verdict="ok     $label: $passing passed, $pending skipped"
    phase_done "$label: $passing passed" "$stage_start"
  else
    failed=1
    if (( passing + failing == 0 )); then
      verdict="FAILED $label: crashed before running any test (mocha exit $status)"
      warn "$label crashed before running any test (mocha exit $status); the end of its output:"
      sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -v '^\s*$' | tail -n 25 >&2
    else
      verdict="FAILED $label: $passing passed, $failing failed (mocha exit $status)"
      warn "$verdict"
    fi
  fi
  printf '%s (%ss)\n' "$verdict" "$(( ($(now_ms) - stage_start) / 1000 ))" >> "$stages"
  rm -f "$out"
}

cd "$REPO_ROOT"
if (( run_unit )); then
  run_mocha unit -- --timeout 10000 --recursive 'build/test/unit/**/*.test.js'
fi
if (( run_integration )); then
  for consensus in "${consensus_list[@]}"; do
    run_mocha "integration ($consensus)" CONSENSUS="$consensus" -- \
      --require build/test/integration/fixtures.js 'build/test/integration/**/*.test.js'
  done
fi
if (( run_join )); then
  # A fourth organisation joins a running network of its own (ports +500 Raft, +550 BFT) and leaves
  # it: its peer joins from a snapshot on Raft, from the genesis block on BFT.
  for consensus in "${consensus_list[@]}"; do
    run_mocha "join and leave of a fourth organisation ($consensus)" CONSENSUS="$consensus" -- \
      --require build/test/join/fixtures.js 'build/test/join/**/*.test.js'
  done
fi

# The dashboard's browser test (test/e2e/dashboard.test.ts) drives Debian's Chromium through
# playwright-core (a test tool's own browser download does not work offline).
ensure_chromium() {
  if [[ -x ${IL_CHROMIUM:-/usr/bin/chromium} ]]; then return 0; fi
  log "installing Debian's chromium for the dashboard's browser test (apt-get install -y chromium)"
  local sudo=()
  if (( EUID != 0 )) && command -v sudo >/dev/null; then sudo=(sudo -n); fi
  if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >&2; then
    die "could not install chromium: install it (apt-get install chromium) or set IL_CHROMIUM to a Chromium binary"
  fi
}

if (( run_e2e )); then
  ensure_chromium
  run_mocha "end-to-end (HTTP -> gateways -> raft)" CONSENSUS=raft -- \
    --require build/test/e2e/fixtures.js 'build/test/e2e/**/*.test.js'
fi

if (( run_fault )); then
  # Faults injected under steady load (ports +400), then the bad-input campaigns on the same network.
  run_mocha "fault + bad input (raft)" CONSENSUS=raft -- \
    --require build/test/fault/fixtures.js 'build/test/fault/raft/**/*.test.js' 'build/test/fuzz/**/*.test.js'
  if [[ " ${consensus_list[*]} " == *" bft "* ]]; then
    run_mocha "fault (bft, one of four orderers killed)" CONSENSUS=bft -- \
      --require build/test/fault/fixtures.js 'build/test/fault/bft/**/*.test.js'
  fi
fi

passed=$(awk '$1=="passing"{s+=$2} END{print s+0}' "$results")
failing=$(awk '$1=="failing"{s+=$2} END{print s+0}' "$results")
pending=$(awk '$1=="pending"{s+=$2} END{print s+0}' "$results")
printf '\nstages:\n'; sed 's/^/  /' "$stages"
if (( failed == 0 && failing == 0 )); then
  phase_done "test suite" "$start"
else
  warn "test suite FAILED after $(( ($(now_ms) - start) / 1000 ))s (see the stages above)"
fi
echo "tests: $passed passed, $failing failed, $pending skipped"
(( failed == 0 && failing == 0 )) || exit 1
