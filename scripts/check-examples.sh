#!/usr/bin/env bash
# Type-checks every example (examples/*/tsconfig.json: each example is a Pulumi project of its own, strict), two at
# a time. In this repository the examples import the library from ../../provider, so they are checked against the
# source; @pulumi/azure-native (examples/azure-storage) is a devDependency of the repository.
# Usage: bash scripts/check-examples.sh [example-name ...]   (default: all)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CLOUDPC_ROOT"

if [ $# -gt 0 ]; then names=("$@"); else
  names=()
  for cfg in examples/*/tsconfig.json; do names+=("$(basename "$(dirname "$cfg")")"); done
fi
[ ${#names[@]} -gt 0 ] || { echo "no examples/*/tsconfig.json found" >&2; exit 1; }

tsc="$CLOUDPC_ROOT/node_modules/.bin/tsc"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
printf '%s\n' "${names[@]}" | xargs -P 2 -I{} bash -c '
  start=$EPOCHREALTIME
  if "$0" -p "examples/{}/tsconfig.json" --noEmit > "$1/{}.log" 2>&1; then status=ok; else status=FAILED; fi
  echo "$status {} $(awk -v a="$start" -v b="$EPOCHREALTIME" "BEGIN { printf \"%.1fs\", b - a }")" > "$1/{}.status"
' "$tsc" "$out" || true

failed=0
for name in "${names[@]}"; do
  read -r status _ secs < "$out/$name.status" || { status=FAILED; secs=?; }
  echo "    examples/$name: $status ($secs)"
  if [ "$status" != ok ]; then failed=1; sed 's/^/      /' "$out/$name.log"; fi
done
exit "$failed"
