#!/usr/bin/env bash
# Smoke test of the Pulumi CLI from scripts/pulumi-cli.sh with scripts/pulumi/local-env.sh's settings (local file
# backend, here file://<dir>/.state so the repo's .state/pulumi is left alone):
# a throwaway Pulumi project (scripts/pulumi/smoke/: one trivial pulumi.dynamic.Resource whose create returns
# {id: "x", outs: {v: 1, ...}}) is copied to a directory OUTSIDE the repo, gets its own `npm install` of
# @pulumi/pulumi (the SDK version in this repo's node_modules), and then:
#   pulumi stack init dev; pulumi config set greeting ...;
#   pulumi up --yes                    (needs pulumi-language-nodejs; skipped, and reported, when it is missing)
#   node automation.js up              (Automation API inline program: the SDK serves the language runtime itself
#                                       and passes --client to the CLI, so no pulumi-language-nodejs is needed)
#   pulumi stack output --json; pulumi destroy --yes; pulumi stack rm dev --yes
# Usage: bash scripts/pulumi/smoke.sh [dir]   (default /tmp/pulumi-smoke; its contents are replaced)
# Environment: CLOUDPC_PULUMI_CLI_ONLY=1 to accept a CLI without the language host (see scripts/pulumi-cli.sh).
# Exit code: 0 when up, the output check and destroy all worked.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${1:-/tmp/pulumi-smoke}"
set --  # `source` below would otherwise pass this script's arguments on
case "$(cd "$(dirname "$dir")" && pwd)/" in "$ROOT"/*) echo "error: the smoke directory must be outside the repo" >&2; exit 2 ;; esac

source "$ROOT/scripts/env.sh"
source "$ROOT/scripts/pulumi/local-env.sh"
# Same local file backend as local-env.sh's, but inside the smoke directory, so the repo's .state/pulumi is untouched.
export PULUMI_BACKEND_URL="file://$dir/.state"
sdk="$(node -p "require('$ROOT/node_modules/@pulumi/pulumi/package.json').version")"

t0=$(date +%s%N)
ms() { echo "$(( ($(date +%s%N) - t0) / 1000000 )) ms"; }
step() { echo; echo "==> $*"; t0=$(date +%s%N); }

step "project in $dir (@pulumi/pulumi $sdk, pulumi $(pulumi version))"
mkdir -p "$dir/.state"
rm -rf "${dir:?}"/{Pulumi.yaml,Pulumi.dev.yaml,index.js,automation.js,package.json}
cp "$ROOT"/scripts/pulumi/smoke/{Pulumi.yaml,index.js,automation.js,package.json} "$dir/"
sed -i "s|\"@pulumi/pulumi\": \"[^\"]*\"|\"@pulumi/pulumi\": \"$sdk\"|" "$dir/package.json"
cd "$dir"
npm install --no-audit --no-fund --loglevel=error >/dev/null
echo "    npm install: $(ms)"

cleanup() { pulumi stack rm dev --yes --force >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup

step "pulumi stack init dev"
pulumi stack init dev
pulumi config set greeting hello-from-config
echo "    $(ms)"

if command -v pulumi-language-nodejs >/dev/null 2>&1; then
  step "pulumi up --yes"
  pulumi up --yes
  echo "    $(ms)"
  step "pulumi destroy --yes (before the Automation API run)"
  pulumi destroy --yes
else
  step "pulumi up --yes: SKIPPED, no pulumi-language-nodejs on PATH (what it prints:)"
  pulumi up --yes 2>&1 | sed 's/^/    | /' || true
fi

step "node automation.js up (Automation API inline program, pulumi up --client)"
node automation.js up
echo "    $(ms)"

step "pulumi stack output --json"
out="$(pulumi stack output --json)"
echo "$out"
node -e 'const o = JSON.parse(process.argv[1]); if (o.id !== "x" || o.v !== 1 || o.greeting !== "hello-from-config") { console.error("unexpected outputs"); process.exit(1); }' "$out"
echo "    outputs as expected: $(ms)"

step "pulumi destroy --yes"
pulumi destroy --yes
echo "    $(ms)"
[ "$(pulumi stack --show-ids 2>/dev/null | grep -c 'pulumi-nodejs:dynamic:Resource' || true)" = 0 ] || { echo "error: resources left after destroy" >&2; exit 1; }

step "pulumi stack rm dev --yes"
pulumi stack rm dev --yes
trap - EXIT
echo; echo "smoke test passed"
