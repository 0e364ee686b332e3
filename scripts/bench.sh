#!/usr/bin/env bash
# The fleet benchmark (npm run bench): see scripts/bench/run.ts for what it measures and its flags.
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$CLOUDPC_ROOT/scripts/setup.sh"
cd "$CLOUDPC_ROOT"
NODE_EXTRA_CA_CERTS="$(bash scripts/certs.sh)"
export NODE_EXTRA_CA_CERTS
# Its own build folder, so a concurrent `npm run build` (which empties dist/) cannot pull files from under it.
echo "==> Building the provider to .state/bench-dist" >&2
npx tsc -p tsconfig.build.json --outDir .state/bench-dist
exec node --no-warnings -r ts-node/register/transpile-only scripts/bench/run.ts "$@"
