#!/usr/bin/env bash
# The long bad-input campaign (npm run fuzz): Schemathesis for at least 10,000 generated requests
# against the gateway, and the chaincode argument fuzzer with many cases per transaction, on the
# fault-test network (started and stopped here, ports +400) or on IL_NETWORK_JSON's network.
# Tunables: IL_SCHEMATHESIS_MAX_TIME (s, default 900), IL_SCHEMATHESIS_WORKERS (default 8: requests that
# wait for a Min-Block-Number overlap), IL_GATEWAY_MIN_BLOCK_WAIT_MS (default 250 here: generated
# Min-Block-Number values just ahead of the peer otherwise hold each request 5 s, 90% of the request time), IL_SCHEMATHESIS_SEED, IL_FUZZ_CASES (default 60), IL_FUZZ_SEED.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$REPO_ROOT/scripts/lib/fabric.sh"

start=$(now_ms)
ensure_node_modules
ensure_fabric_binaries
ensure_build
cd "$REPO_ROOT"
IL_SCHEMATHESIS_EXAMPLES="${IL_SCHEMATHESIS_EXAMPLES:-1000}" \
IL_SCHEMATHESIS_MAX_TIME="${IL_SCHEMATHESIS_MAX_TIME:-900}" \
IL_SCHEMATHESIS_WORKERS="${IL_SCHEMATHESIS_WORKERS:-8}" \
IL_GATEWAY_MIN_BLOCK_WAIT_MS="${IL_GATEWAY_MIN_BLOCK_WAIT_MS:-250}" \
IL_SCHEMATHESIS_MIN_REQUESTS="${IL_SCHEMATHESIS_MIN_REQUESTS:-10000}" \
IL_SCHEMATHESIS_TIMEOUT_MS=3600000 \
IL_FUZZ_CASES="${IL_FUZZ_CASES:-60}" \
CONSENSUS=raft npx --no-install mocha --color --require build/test/fault/fixtures.js 'build/test/fuzz/**/*.test.js'
phase_done "fuzz campaign" "$start"
