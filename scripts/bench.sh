#!/usr/bin/env bash
# The fleet benchmark (npm run bench): see scripts/bench/run.ts for what it measures and its flags.
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$CLOUDPC_ROOT/scripts/setup.sh"
cd "$CLOUDPC_ROOT"
NODE_EXTRA_CA_CERTS="$(bash scripts/certs.sh)"
export NODE_EXTRA_CA_CERTS
echo "==> Building the package (dist/)" >&2
npx tsc -p tsconfig.build.json
exec node --no-warnings -r ts-node/register/transpile-only scripts/bench/run.ts "$@"
