#!/usr/bin/env bash
# The README's test command: installs what is missing, type-checks, then runs every test (mocha + ts-node):
# unit tests, the Graph client against local servers, the provider against the Graph emulator, and the
# engine-level tests through @pulumi/pulumi's real dynamic-provider gRPC server.
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$CLOUDPC_ROOT/scripts/setup.sh"
cd "$CLOUDPC_ROOT"

# The emulator's HTTPS certificate: generated once (openssl), trusted through NODE_EXTRA_CA_CERTS, which Node
# reads only at start-up, so it must be set before mocha starts.
NODE_EXTRA_CA_CERTS="$(node -r ts-node/register/transpile-only -e 'process.stdout.write(require("./emulator/certs").ensureCertificates().caCertPath)')"
export NODE_EXTRA_CA_CERTS
export CLOUDPC_POLL_INTERVAL_MS="${CLOUDPC_POLL_INTERVAL_MS:-100}"

echo "==> Type-checking (tsc --noEmit, strict)"
npx tsc -p tsconfig.json --noEmit

echo "==> Running tests"
npx mocha "$@"
