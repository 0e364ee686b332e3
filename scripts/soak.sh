#!/usr/bin/env bash
# The soak (docs/RELIABILITY.md): thousands of create/read/update/delete operations through the dynamic-provider gRPC
# server against the emulator with a random share of Graph requests faulted; exits 1 if anything was lost,
# duplicated or orphaned. Flags: see scripts/soak/run.ts (--users, --rounds, --fault-rate, --seed, --concurrency, ...).
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$CLOUDPC_ROOT/scripts/setup.sh"
cd "$CLOUDPC_ROOT"
NODE_EXTRA_CA_CERTS="$(bash scripts/certs.sh)"
export NODE_EXTRA_CA_CERTS
exec node --no-warnings -r ts-node/register/transpile-only scripts/soak/run.ts "$@"
