#!/usr/bin/env bash
# Runs the Cloud PC Graph emulator standalone (real HTTPS on loopback). Prints its URL and the `export ...` lines that
# point a stack at it, then serves until Ctrl-C / SIGTERM. `--help` lists the flags; `--state-file` is for scripts.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CLOUDPC_ROOT"
# exec + ts-node's in-process register hook (rather than `npx ts-node`, whose wrapper process dies on SIGTERM
# without passing it on): the pid that started this script is the emulator itself, so SIGINT/SIGTERM reach it.
exec node -r ts-node/register/transpile-only emulator/cli.ts "$@"
