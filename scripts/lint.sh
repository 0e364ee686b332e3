#!/usr/bin/env bash
# Lint: ESLint with typescript-eslint (flat config: eslint.config.mjs) over every TypeScript file of the library,
# the emulator, the tests, the scripts and the examples. No warning is tolerated.
# Usage: bash scripts/lint.sh [eslint options] [paths]   (default: the whole repository; e.g. --fix)
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$CLOUDPC_ROOT/scripts/setup.sh"
cd "$CLOUDPC_ROOT"
if [ $# -eq 0 ]; then set -- .; fi
exec "$CLOUDPC_ROOT/node_modules/.bin/eslint" --max-warnings 0 "$@"
