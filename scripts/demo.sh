#!/usr/bin/env bash
# The quickstart, end to end, against the local Graph emulator (no Azure account needed):
#   1. provisions Node 24 and the npm dependencies (scripts/setup.sh);
#   2. creates/reuses the emulator's CA and exports NODE_EXTRA_CA_CERTS (Node reads it only at start-up);
#   3. starts the Graph emulator in the background (scripts/emulator.sh --state-file) and waits until it listens;
#   4. `pulumi up` of the quickstart program (Pulumi.yaml -> examples/quickstart/): imports the snapshot, prints
#      the stack outputs;
#   5. `pulumi up` again: check + diff only, "no changes", and no Graph write;
#   6. `pulumi destroy`: purges the import, so the run leaves nothing behind;
#   7. stops the emulator (SIGTERM), also on failure or Ctrl-C (trap), and removes this run's state.
# Every run starts from a clean slate: a fresh emulator and empty stack state (.state/demo-<pid>/, git-ignored).
#
# Until the Pulumi CLI is built (engine issue), steps 4-6 run through the engine-level harness instead of the
# `pulumi` binary: scripts/demo/run-program.ts runs the program in-process as a Pulumi program under Pulumi's mock
# monitor (pulumi.runtime.setMocks) and forwards each dynamic resource to @pulumi/pulumi's real dynamic-provider gRPC
# server (configure, check, create / diff, delete), keeping a small JSON state file between the steps.
#
# Usage: bash scripts/demo.sh [--config key=value]...   (stack config for the program, e.g. --config blobName=x.vhd)
# Environment: CLOUDPC_POLL_INTERVAL_MS (default 250 here: the emulator's imports take 1.5 s).
# Exit code: 0 on success, non-zero on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CLOUDPC_ROOT"

config_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --config) [ $# -ge 2 ] || { echo "error: --config needs key=value" >&2; exit 2; }; config_args+=(--config "$2"); shift 2 ;;
    --config=*) config_args+=(--config "${1#--config=}"); shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
export CLOUDPC_POLL_INTERVAL_MS="${CLOUDPC_POLL_INTERVAL_MS:-250}"

run_dir="$CLOUDPC_ROOT/.state/demo-$$"
emulator_state="$run_dir/emulator.json"
emulator_log="$run_dir/emulator.log"
stack_state="$run_dir/stack.json"
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
  rm -rf "$run_dir"
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

run_program() {
  # Pulumi's closure serializer loads every Node built-in (node:sqlite, node:wasi ...) to recognise captured
  # modules; on Node 24 that prints ExperimentalWarnings that say nothing about this program.
  NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--disable-warning=ExperimentalWarning" npx --no-install ts-node --transpile-only scripts/demo/run-program.ts "$@" \
    --state "$stack_state" --emulator "$emulator_state" "${config_args[@]}"
}

step "pulumi up: imports the snapshot"
run_program up

step "pulumi up again: expects no changes (check + diff only)"
run_program up

step "pulumi destroy: purges the import, so the run leaves nothing behind"
run_program destroy

step "Stopping the emulator"
