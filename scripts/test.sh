#!/usr/bin/env bash
# The README's test command. Usage: bash scripts/test.sh [unit|integration|e2e ...] [mocha options, e.g. -g pattern]
# With no tier named: installs what is missing, lints (type-check, then ESLint), type-checks the examples, then runs
# every tier (mocha + ts-node, .mocharc.json):
#   unit         test/unit/: no network, no emulator, no child process (npm run test:unit; under a minute)
#   integration  test/integration/: the Graph client against local servers, the provider against the Graph emulator,
#                the engine-level tests through @pulumi/pulumi's real dynamic-provider gRPC server, Azurite
#   e2e          test/e2e/: the real Pulumi CLI (built here on first use), the examples, the demo, the package
# The integration and e2e tiers run the tests that read imports twice, once per emulator dialect (below).
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$CLOUDPC_ROOT/scripts/setup.sh"
cd "$CLOUDPC_ROOT"

tiers=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    unit | integration | e2e) tiers+=("$1"); shift ;;
    *) break ;;
  esac
done
all=0
if [ "${#tiers[@]}" -eq 0 ]; then all=1; tiers=(unit integration e2e); fi

# The machine's own extra CA (a registry proxy's, for instance) stays available to the tests that run npm install.
export CLOUDPC_MACHINE_EXTRA_CA_CERTS="${CLOUDPC_MACHINE_EXTRA_CA_CERTS:-${NODE_EXTRA_CA_CERTS:-}}"
# The emulator's HTTPS certificate: generated once (openssl), trusted through NODE_EXTRA_CA_CERTS, which Node
# reads only at start-up, so it must be set before mocha starts.
NODE_EXTRA_CA_CERTS="$(node -r ts-node/register/transpile-only -e 'process.stdout.write(require("./emulator/certs").ensureCertificates().caCertPath)')"
export NODE_EXTRA_CA_CERTS
export CLOUDPC_POLL_INTERVAL_SECONDS="${CLOUDPC_POLL_INTERVAL_SECONDS:-0.1}"
# The provider notes imports not yet in state under $XDG_STATE_HOME (provider/runtime/pending-imports.ts): the
# tests' notes go to a directory of this run's own, not to the home directory.
XDG_STATE_HOME="$(mktemp -d "${TMPDIR:-/tmp}/cloudpc-test-state-XXXXXX")"
export XDG_STATE_HOME
trap 'rm -rf "$XDG_STATE_HOME"' EXIT

if [ "$all" -eq 1 ]; then
  echo "==> Linting (tsc --noEmit, then ESLint + typescript-eslint: scripts/lint.sh)"
  bash scripts/lint.sh

  echo "==> Type-checking the examples (each example's own tsconfig.json: scripts/check-examples.sh)"
  bash scripts/check-examples.sh
fi

# Graph's sources disagree on how imports are read (docs/GRAPH-FIDELITY.md): every test that reads imports runs
# again against the seed's Graph, which also lists them. Skipped when a subset was asked for (-g ...).
seed_files() {
  case "$1" in
    integration) echo lifecycle engine faults soak secrets functions tenants ;;
    e2e) echo e2e e2e-faults e2e-proxy e2e-tenants ;;
  esac
}

run_tier() {
  local tier="$1"; shift
  echo "==> ${tier} tests (emulator dialect ${CLOUDPC_EMULATOR_DIALECT:-metadata}: only what Graph's metadata declares)"
  local isolation=()
  if [ "$tier" = unit ]; then isolation=(--require ./test/harness/unit-isolation.ts); fi
  npx mocha "${isolation[@]}" "$@" "test/${tier}/**/*.test.ts"
  local files=()
  for name in $(seed_files "$tier"); do files+=("test/${tier}/${name}.test.ts"); done
  if [ "$#" -eq 0 ] && [ "${#files[@]}" -gt 0 ]; then
    echo "==> ${tier} tests that read imports, again (emulator dialect seed: Graph lists imports)"
    CLOUDPC_EMULATOR_DIALECT=seed npx mocha "${files[@]}"
  fi
}

for tier in "${tiers[@]}"; do
  if [ "$tier" = e2e ]; then
    # The end-to-end tests drive the real `pulumi` binary. A warm machine has it cached under ~/.cache/cloudpc-pulumi;
    # a cold one builds it from the Go module proxy (about 8 minutes, docs/PULUMI-CLI.md).
    echo "==> Pulumi CLI (scripts/pulumi-cli.sh: cached, else built from the Go module proxy)"
    echo "    $(bash scripts/pulumi-cli.sh --print-path)"
  fi
  # The preflight's tests start the storage emulator Azurite themselves, from node_modules (an npm devDependency,
  # installed by setup.sh), over HTTPS with the certificate above: no service to start here.
  run_tier "$tier" "$@"
done
