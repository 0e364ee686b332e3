#!/usr/bin/env bash
# Creates (or reuses) the emulator's test CA and localhost certificate and prints the CA path, so a runner can do
#   export NODE_EXTRA_CA_CERTS="$(bash scripts/certs.sh)"
# before starting Node (Node reads NODE_EXTRA_CA_CERTS only at start-up). Optional argument: the certificate directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CLOUDPC_ROOT"
exec node -r ts-node/register/transpile-only emulator/cli.ts --print-ca ${1:+--cert-dir "$1"}
