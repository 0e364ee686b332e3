#!/usr/bin/env bash
# Lint: the type-check (tsc --noEmit, strict; its own step, as the tests run ts-node in transpile-only mode), the
# formatter's check (Prettier, .prettierrc.json: 120 columns; `npx prettier --write .` fixes), then
# ESLint with typescript-eslint (flat config: eslint.config.mjs) over every TypeScript file of the library, the
# emulator, the tests, the scripts and the examples. No warning is tolerated.
# Usage: bash scripts/lint.sh [eslint options] [paths]   (default: the whole repository, type-check first; with
# options or paths, ESLint only, e.g. --fix)
set -euo pipefail
source "$(dirname "$0")/env.sh"
bash "$CLOUDPC_ROOT/scripts/setup.sh"
cd "$CLOUDPC_ROOT"
if [ $# -eq 0 ]; then
  "$CLOUDPC_ROOT/node_modules/.bin/tsc" -p tsconfig.json --noEmit
  "$CLOUDPC_ROOT/node_modules/.bin/prettier" --check --log-level warn . \
    || { echo "lint: files not formatted (run: npx prettier --write .)" >&2; exit 1; }
  set -- .
fi
exec "$CLOUDPC_ROOT/node_modules/.bin/eslint" --max-warnings 0 "$@"
