#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine: Node 24 (if missing) and npm dependencies.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CLOUDPC_ROOT"
stamp=node_modules/.cloudpc-installed
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || { [ -f package-lock.json ] && [ package-lock.json -nt "$stamp" ]; }; then
  echo "==> Installing npm dependencies (node $(node --version)) ..." >&2
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >&2; else npm install --no-audit --no-fund >&2; fi
  touch "$stamp"
fi
