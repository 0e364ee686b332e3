#!/usr/bin/env bash
# The quickstart, end to end, against the local Graph emulator (no Azure account needed):
#   1. provisions Node 24 and the npm dependencies (scripts/setup.sh);
#   2. creates/reuses the emulator's CA and exports NODE_EXTRA_CA_CERTS (Node reads it only at start-up);
#   3. starts the Graph emulator in the background (scripts/emulator.sh --state-file) and waits until it listens;
#   4. the Pulumi CLI (scripts/pulumi-cli.sh: cached under ~/.cache/cloudpc-pulumi, else built from the Go module
#      proxy, about 8 minutes the first time) and a local file backend with a throwaway stack `cloudpc-demo`;
#   5. stack config for the emulator (`pulumi config set cloudpc:...`, the client secret as a secret);
#   6. `pulumi up --yes` of the quickstart (Pulumi.yaml -> examples/quickstart/index.ts): imports the snapshot, and
#      prints the stack outputs;
#   7. `pulumi up --yes --expect-no-changes`: check + diff only, and the emulator confirms no Graph write;
#   8. `pulumi destroy --yes`: purges the import, so the run leaves nothing behind;
#   9. stops the emulator (SIGTERM), also on failure or Ctrl-C (trap), and removes this run's state.
# Every run starts from a clean slate: a fresh emulator and an empty backend (.state/demo-<pid>/, git-ignored); the
# stack's settings file (Pulumi.cloudpc-demo.yaml, git-ignored) is removed at the end.
#
# Usage: bash scripts/demo.sh [--config key=value]...   (stack config for the program, e.g. --config blobName=x.vhd;
#        keys: examples/quickstart/README.md)
# Environment: CLOUDPC_POLL_INTERVAL_SECONDS (default 0.25 here: the emulator's imports take 1.5 s).
# Exit code: 0 on success, non-zero on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CLOUDPC_ROOT"

config_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --config) [ $# -ge 2 ] || { echo "error: --config needs key=value" >&2; exit 2; }; config_args+=("$2"); shift 2 ;;
    --config=*) config_args+=("${1#--config=}"); shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

step() { echo; echo "==> $*"; }

step "Provisioning Node.js and npm dependencies (scripts/setup.sh)"
bash scripts/setup.sh
echo "    node $(node --version)"

step "Emulator certificate"
NODE_EXTRA_CA_CERTS="$(bash scripts/certs.sh)"
export NODE_EXTRA_CA_CERTS
echo "    NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS"
export CLOUDPC_POLL_INTERVAL_SECONDS="${CLOUDPC_POLL_INTERVAL_SECONDS:-0.25}"
# Pulumi's closure serializer loads every Node built-in (node:sqlite among them) to recognise captured modules; on
# Node 24 that prints an ExperimentalWarning in the program and the provider that says nothing about this stack.
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--disable-warning=ExperimentalWarning"

run_dir="$CLOUDPC_ROOT/.state/demo-$$"
emulator_state="$run_dir/emulator.json"
emulator_log="$run_dir/emulator.log"
STACK=cloudpc-demo
stack_file="$CLOUDPC_ROOT/Pulumi.$STACK.yaml"
emulator_job=""
emulator_pid=""
emulator_ready=0

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # The emulator's own pid (from its state file) gets SIGTERM: it closes its server and exits 0.
  for pid in "$emulator_pid" "$emulator_job"; do
    alive "$pid" && kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "$emulator_pid" "$emulator_job"; do
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then echo "    emulator pid $pid ignored SIGTERM; sending SIGKILL" >&2; kill -KILL "$pid" 2>/dev/null || true; fi
  done
  [ -n "$emulator_job" ] && wait "$emulator_job" 2>/dev/null || true
  if [ -n "$emulator_pid$emulator_job" ]; then echo "    emulator stopped"; fi
  if [ "$rc" -ne 0 ] && [ "$emulator_ready" -eq 0 ] && [ -f "$emulator_log" ]; then
    echo "---- emulator log (last 40 lines) ----" >&2
    tail -n 40 "$emulator_log" >&2 || true
  fi
  # This run's state describes resources in an emulator that no longer exists: discard it with the emulator.
  rm -rf "$run_dir" "$stack_file"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "Starting the Cloud PC Graph emulator (scripts/emulator.sh)"
mkdir -p "$run_dir"
bash scripts/emulator.sh --quiet --state-file "$emulator_state" >"$emulator_log" 2>&1 &
emulator_job=$!
for _ in $(seq 1 600); do
  [ -f "$emulator_state" ] && break
  alive "$emulator_job" || { echo "error: the emulator exited before listening" >&2; exit 1; }
  sleep 0.1
done
[ -f "$emulator_state" ] || { echo "error: the emulator did not start within 60 s" >&2; exit 1; }
emulator_pid="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).pid' "$emulator_state")"
emulator_url="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).graphEndpoint' "$emulator_state")"
emulator_ready=1
echo "    emulator listening on $emulator_url (pid $emulator_pid), Graph at $emulator_url/beta"

emulator_field() { node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]]' "$emulator_state" "$1"; }

# Graph writes the emulator has served so far, and the imports it holds (its control routes, not Graph's).
emulator_report() {
  node -e '
    const [base] = process.argv.slice(1);
    Promise.all([fetch(base + "/_emulator/stats").then((r) => r.json()), fetch(base + "/_emulator/imports").then((r) => r.json())])
      .then(([stats, imports]) => {
        const held = (imports.value ?? []).map((i) => `${i.snapshotId} (${i.importStatus})`);
        console.log(`${stats.writes} ${held.length ? held.join(", ") : "none"}`);
      })
      .catch((e) => { console.error(`cannot read the emulator counters: ${e.message}`); process.exit(1); });
  ' "$emulator_url"
}

step "Pulumi CLI (scripts/pulumi-cli.sh: cached, else built from the Go module proxy, about 8 minutes once)"
source scripts/pulumi-cli.sh
echo "    $(pulumi version) at $(command -v pulumi)"
# A local backend for this run only: no Pulumi Cloud account, no `pulumi login`. The passphrase encrypts this
# throwaway stack's secrets (the emulator's client secret); it is public and for the demo only.
mkdir -p "$run_dir/backend"
export PULUMI_BACKEND_URL="file://$run_dir/backend"
export PULUMI_CONFIG_PASSPHRASE="cloudpc-demo-passphrase"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
# The provider must take every setting from the stack config below, as in a real stack.
unset AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET CLOUDPC_GRAPH_ENDPOINT CLOUDPC_AUTHORITY_HOST

step "pulumi stack init $STACK, and its config for the emulator"
rm -f "$stack_file"
pulumi stack init "$STACK" --non-interactive >/dev/null
pulumi config set cloudpc:tenantId "$(emulator_field AZURE_TENANT_ID)"
pulumi config set cloudpc:clientId "$(emulator_field AZURE_CLIENT_ID)"
# From stdin, not the command line: a secret in argv is visible to every process on the machine.
emulator_field AZURE_CLIENT_SECRET | pulumi config set --secret cloudpc:clientSecret
pulumi config set cloudpc:graphEndpoint "$emulator_url"
pulumi config set cloudpc:authorityHost "$(emulator_field authorityHost)"
for kv in ${config_args[@]+"${config_args[@]}"}; do
  [[ "$kv" == *=* ]] || { echo "error: --config needs key=value, got '$kv'" >&2; exit 2; }
  pulumi config set "${kv%%=*}" "${kv#*=}"
done
pulumi config | sed 's/^/    /'

step "pulumi up: imports the snapshot"
pulumi up --yes
writes_before="$(emulator_report | cut -d' ' -f1)"

step "pulumi stack output"
pulumi stack output

step "pulumi up again: expects no changes (check + diff only)"
pulumi up --yes --expect-no-changes
writes_after="$(emulator_report | cut -d' ' -f1)"
echo "    emulator: $((writes_after - writes_before)) Graph write(s) during this run"
[ "$writes_after" = "$writes_before" ] || { echo "error: the second up made Graph writes" >&2; exit 1; }

step "pulumi destroy: purges the import, so the run leaves nothing behind"
pulumi destroy --yes
report="$(emulator_report)"
echo "    emulator: imports it holds: ${report#* }"
[ "${report#* }" = none ] || { echo "error: the emulator still holds imports after destroy" >&2; exit 1; }
pulumi stack rm --yes "$STACK" >/dev/null

step "Stopping the emulator"
