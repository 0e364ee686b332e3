#!/usr/bin/env bash
# The fleet benchmark (npm run bench): see scripts/bench/run.ts for what it measures and its flags.
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$CLOUDPC_ROOT/scripts/setup.sh"
cd "$CLOUDPC_ROOT"
NODE_EXTRA_CA_CERTS="$(bash scripts/certs.sh)"
export NODE_EXTRA_CA_CERTS
# The compiled package in a build folder of its own (a concurrent `npm run build` empties dist/): package.json,
# provider-handlers.js and dist/, installed (linked) in a scratch project that the provider processes run in, so the
# serialized provider finds it by name, as in a user's project (scripts/bench/run.ts, BENCH_PROJECT).
echo "==> Building the provider to .state/bench-pkg, installed in .state/bench-project" >&2
rm -rf .state/bench-pkg .state/bench-dist
npx tsc -p tsconfig.build.json --outDir .state/bench-pkg/dist
# The naive gateway (the benchmark's baseline, preloaded into the naive mode's provider processes) beside it, so its
# relative imports reach the same compiled provider the serialized provider loads.
npx tsc --outDir .state/bench-pkg/dist --rootDir . --target ES2022 --module commonjs --moduleResolution node \
    --esModuleInterop --skipLibCheck --strict --types node scripts/bench/install-naive-gateway.ts
cp package.json provider-handlers.js .state/bench-pkg/
mkdir -p .state/bench-project/node_modules/@cloudpc .state/bench-project/node_modules/@pulumi
echo '{ "name": "cloudpc-bench-project", "private": true }' >.state/bench-project/package.json
ln -sfn ../../../bench-pkg .state/bench-project/node_modules/@cloudpc/pulumi-snapshots
ln -sfn "$CLOUDPC_ROOT/node_modules/@pulumi/pulumi" .state/bench-project/node_modules/@pulumi/pulumi
exec node --no-warnings -r ts-node/register/transpile-only scripts/bench/run.ts "$@"
