#!/usr/bin/env bash
# Puts the Pulumi CLI on PATH for this project: `pulumi`, the Node.js language host `pulumi-language-nodejs`, and
# the dynamic-provider plugin launcher `pulumi-resource-pulumi-nodejs` (ours: scripts/pulumi/bin/, copied beside
# the cached pulumi, where the engine looks for this "bundled" plugin).
#
#   source scripts/pulumi-cli.sh             # builds if needed, then puts the bin dir first on PATH
#   bash scripts/pulumi-cli.sh --print-path  # builds if needed, prints the PATH entry (':'-joined entries) on stdout
#   bash scripts/pulumi-cli.sh --check       # no build: exit 0 if a usable CLI is cached / on PATH, else 1
#
# Options (also as environment variables):
#   --cli-only  (CLOUDPC_PULUMI_CLI_ONLY=1)   accept a CLI without the Node.js language host when the language host
#                                             cannot be had (see below). `pulumi up` of a runtime: nodejs project
#                                             then fails; Automation API inline programs (which run their own
#                                             language server and pass --client) still work.
#   --rebuild   (CLOUDPC_PULUMI_REBUILD=1)    ignore the cache and any pulumi on PATH.
#   CLOUDPC_PULUMI_CLI_VERSION=vX.Y.Z         build this CLI version instead of choosing one (see below).
#   CLOUDPC_PULUMI_LANGHOST_VERSION=v3.0.0-<date>-<hash> | <commit>
#                                             the language host's version: it has no tags of its own.
#
# Version policy (docs/PULUMI-CLI.md):
#   * The SDK version is node_modules/@pulumi/pulumi/package.json's (else package.json's dependency).
#   * A `pulumi` already on PATH is used, and nothing is built, when its major equals the SDK's and it is not older
#     (Pulumi supports a CLI newer than the SDK, not the reverse), and a `pulumi-language-nodejs` is on PATH too.
#   * Otherwise the CLI is built from the Go module proxy at the SDK's version when the proxy serves pkg/vX.Y.Z;
#     if it does not, at the oldest version it serves that is newer, same major (printed loudly).
#   * The language host (module .../sdk/nodejs/cmd/pulumi-language-nodejs/v3) is built at the pseudo-version of
#     the commit that the CLI's tag points at (Origin.Hash of `go list -m -json pkg/v3@vX.Y.Z`).
#   * When the proxy refuses that module (it does here: 403), the LEGACY language host is built instead: the same
#     program as it was inside the sdk/v3 module up to v3.68.0 (package sdk/v3/nodejs/cmd/pulumi-language-nodejs),
#     in a throwaway module of its own. It runs `@pulumi/pulumi`'s own cmd/run (the SDK in node_modules), whose
#     command-line interface is unchanged; the CLI falls back from the RPCs it lacks (docs/PULUMI-CLI.md).
#     CLOUDPC_PULUMI_LEGACY_LANGHOST=0 disables the fallback; CLOUDPC_PULUMI_LEGACY_LANGHOST_VERSION picks the version.
#   * Binaries are cached under $HOME/.cache/cloudpc-pulumi/<sdk version>/bin; a warm machine builds nothing.
#     Go's module and build caches live under $HOME/.cache/cloudpc-pulumi/{gopath,go-build}.
#
# Exit code (when run): 0 on success; non-zero with the failing go command and its error on any failure.
# Local backend without Pulumi Cloud: source scripts/pulumi/local-env.sh (it sources this file).

# ---------------------------------------------------------------------------------------------------- sourced
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  _cloudpc_pulumi_path="$(bash "${BASH_SOURCE[0]}" --print-path "$@")" || {
    echo "error: scripts/pulumi-cli.sh failed: the Pulumi CLI is not on PATH" >&2
    unset _cloudpc_pulumi_path
    return 1
  }
  # First on PATH, also when it is there already further down (another pulumi must not shadow it).
  _cloudpc_pulumi_rest=":$PATH:"
  while case "$_cloudpc_pulumi_rest" in *":$_cloudpc_pulumi_path:"*) true ;; *) false ;; esac; do
    _cloudpc_pulumi_rest="${_cloudpc_pulumi_rest/:$_cloudpc_pulumi_path:/:}"
  done
  _cloudpc_pulumi_rest="${_cloudpc_pulumi_rest#:}"
  export PATH="$_cloudpc_pulumi_path:${_cloudpc_pulumi_rest%:}"
  unset _cloudpc_pulumi_path _cloudpc_pulumi_rest
  return 0
fi

# ---------------------------------------------------------------------------------------------------- run
set -euo pipefail

mode=install
cli_only="${CLOUDPC_PULUMI_CLI_ONLY:-0}"
rebuild="${CLOUDPC_PULUMI_REBUILD:-0}"
for arg in "$@"; do
  case "$arg" in
    --print-path) mode=install ;;
    --check) mode=check ;;
    --cli-only) cli_only=1 ;;
    --rebuild) rebuild=1 ;;
    -h|--help) sed -n '2,/^$/p' "$0" | sed -e '/^$/d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAUNCHER_DIR="$ROOT/scripts/pulumi/bin"
CACHE_ROOT="${CLOUDPC_PULUMI_CACHE:-$HOME/.cache/cloudpc-pulumi}"
CLI_MODULE=github.com/pulumi/pulumi/pkg/v3
# The newest sdk/v3 whose module still holds the Node.js language host (later it became a module of its own).
LEGACY_LANG_VERSION="${CLOUDPC_PULUMI_LEGACY_LANGHOST_VERSION:-v3.68.0}"
LEGACY_LANG_PKG=github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
LANG_MODULE=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
CLIPBOARD_REPLACE="github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e"
VERSION_VAR=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version

log() { echo "[pulumi-cli] $*" >&2; }
die() { echo "[pulumi-cli] error: $*" >&2; exit 1; }

# semver helpers (X.Y.Z, no pre-release)
ver_major() { echo "${1#v}" | cut -d. -f1; }
ver_ge() { [ "$(printf '%s\n%s\n' "${1#v}" "${2#v}" | sort -V | head -n1)" = "${2#v}" ]; }  # $1 >= $2

sdk_version() {
  local v=""
  if [ -f "$ROOT/node_modules/@pulumi/pulumi/package.json" ]; then
    v="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$ROOT/node_modules/@pulumi/pulumi/package.json" | head -n1)"
  fi
  if [ -z "$v" ] && [ -f "$ROOT/package.json" ]; then
    v="$(sed -n 's/^ *"@pulumi\/pulumi": *"[^0-9]*\([0-9][0-9.]*\)".*/\1/p' "$ROOT/package.json" | head -n1)"
  fi
  [ -n "$v" ] || die "cannot tell the @pulumi/pulumi version (no node_modules/@pulumi/pulumi/package.json; run scripts/setup.sh)"
  echo "$v"
}

SDK_VERSION="$(sdk_version)"
SDK_MAJOR="$(ver_major "$SDK_VERSION")"
BIN_DIR="$CACHE_ROOT/$SDK_VERSION/bin"

# Prints the version of the pulumi binary $1 (without the v), or nothing.
pulumi_version_of() { "$1" version 2>/dev/null | head -n1 | sed -n 's/^v\{0,1\}\([0-9][0-9.]*\).*/\1/p'; }

# Checks the cached binaries run; prints the PATH entries on success.
cached_ok() {
  [ -x "$BIN_DIR/pulumi" ] || return 1
  local v; v="$(pulumi_version_of "$BIN_DIR/pulumi")"
  [ -n "$v" ] || { log "cached $BIN_DIR/pulumi does not run"; return 1; }
  if [ ! -x "$BIN_DIR/pulumi-language-nodejs" ]; then
    if [ "$cli_only" = 1 ]; then
      log "note: cached CLI has no pulumi-language-nodejs (--cli-only): \`pulumi up\` of a nodejs project will fail"
    else
      log "cached Pulumi CLI v$v has no pulumi-language-nodejs: building only that"
      CACHED_CLI_VERSION="v$v"
      return 1
    fi
  fi
  log "using cached Pulumi CLI v$v ($BIN_DIR)"
  return 0
}

# A pulumi already on PATH (not ours): same major, not older than the SDK, with a language host beside it / on PATH.
path_ok() {
  local p v
  p="$(command -v pulumi 2>/dev/null)" || return 1
  case "$p" in "$CACHE_ROOT"/*) return 1 ;; esac
  v="$(pulumi_version_of "$p")"
  [ -n "$v" ] || return 1
  if [ "$(ver_major "$v")" != "$SDK_MAJOR" ] || ! ver_ge "$v" "$SDK_VERSION"; then
    log "ignoring $p (v$v): need v$SDK_MAJOR.x and >= v$SDK_VERSION"
    return 1
  fi
  if ! command -v pulumi-language-nodejs >/dev/null 2>&1 && [ ! -x "$(dirname "$p")/pulumi-language-nodejs" ]; then
    log "ignoring $p (v$v): no pulumi-language-nodejs beside it or on PATH"
    return 1
  fi
  log "using $p (v$v, @pulumi/pulumi is $SDK_VERSION): nothing to build"
  PATH_DIRS="$(dirname "$p")"
  return 0
}

# Our plugin launcher goes next to the cached pulumi: the engine looks for this "bundled" plugin beside its own
# executable, and warns "using pulumi-resource-pulumi-nodejs from $PATH" when it finds it elsewhere. A copy (with the
# ts-on-demand.js hook it preloads), not a symlink into this checkout: the cache is shared by every checkout on the
# machine (a clone in /tmp that is later deleted must not break the others). Rewritten only when the content
# differs, through a rename, so a plugin the engine is starting right now never sees a half-written file.
install_launcher() {
  local src dst
  for src in "$LAUNCHER_DIR/pulumi-resource-pulumi-nodejs" "$ROOT/scripts/pulumi/ts-on-demand.js"; do
    dst="$1/$(basename "$src")"
    if [ -L "$dst" ] || ! cmp -s "$src" "$dst"; then
      cp "$src" "$dst.tmp.$$" && chmod "$(stat -c %a "$src")" "$dst.tmp.$$" && mv -f "$dst.tmp.$$" "$dst" ||
        die "cannot install $src into $1"
    fi
  done
}

if [ "$rebuild" != 1 ]; then
  if path_ok; then echo "$LAUNCHER_DIR:$PATH_DIRS"; exit 0; fi
  if cached_ok; then install_launcher "$BIN_DIR"; echo "$BIN_DIR"; exit 0; fi
fi
if [ "$mode" = check ]; then
  log "no usable Pulumi CLI for @pulumi/pulumi $SDK_VERSION (cache: $BIN_DIR)"
  exit 1
fi

# ---------------------------------------------------------------------------------------------------- build
GO="$(command -v go 2>/dev/null || true)"
[ -n "$GO" ] || GO=/usr/local/go/bin/go
[ -x "$GO" ] || die "no Go toolchain (go on PATH or /usr/local/go/bin/go)"
export GOPATH="$CACHE_ROOT/gopath" GOMODCACHE="$CACHE_ROOT/gopath/pkg/mod" GOCACHE="$CACHE_ROOT/go-build"
export GOFLAGS="-mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED="${CGO_ENABLED:-0}" GOWORK=off
mkdir -p "$GOMODCACHE" "$GOCACHE"

start=$(date +%s)
elapsed() { local s=$(( $(date +%s) - start )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cloudpc-pulumi-build.XXXXXX")"
STAGE="$CACHE_ROOT/$SDK_VERSION/bin.staging.$$"
heartbeat_pid=""
cleanup() {
  [ -n "$heartbeat_pid" ] && kill "$heartbeat_pid" 2>/dev/null || true
  rm -rf "$STAGE"
  if [ "${keep_work:-0}" = 1 ]; then log "build directory kept for inspection: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# run_go <log name> <description> <go args...>: runs go in $WORK with a heartbeat; on failure prints the exact
# command and the end of its output, and exits non-zero.
run_go() {
  local name="$1" what="$2"; shift 2
  local logf="$WORK/$name.log" cmdline
  cmdline="$(printf '%q ' "$GO" "$@")"
  log "$what ($(elapsed) so far)"
  log "  \$ (cd $WORK && $cmdline)"
  # The heartbeat kills its own sleep when stopped: an orphaned sleep holding stdout would delay `$(...)` callers.
  ( trap 'kill "$s" 2>/dev/null; exit 0' TERM
    while :; do
      sleep 30 </dev/null >/dev/null 2>&1 & s=$!
      wait "$s"
      local n; n=$(grep -vc '^go: ' "$logf" 2>/dev/null || echo 0)
      log "  ... still running: $(elapsed) elapsed, $n${total_pkgs:+/$total_pkgs} output lines (packages), module cache $(du -sh "$GOMODCACHE" 2>/dev/null | cut -f1)"
    done ) </dev/null >/dev/null &
  heartbeat_pid=$!
  local rc=0
  (cd "$WORK" && "$GO" "$@") >"$logf" 2>&1 || rc=$?
  kill "$heartbeat_pid" 2>/dev/null || true; wait "$heartbeat_pid" 2>/dev/null || true; heartbeat_pid=""
  if [ "$rc" != 0 ]; then
    echo "[pulumi-cli] error: go command failed (exit $rc) after $(elapsed):" >&2
    echo "  (cd $WORK && GOFLAGS=$GOFLAGS GOMODCACHE=$GOMODCACHE GOCACHE=$GOCACHE GOTOOLCHAIN=$GOTOOLCHAIN $cmdline)" >&2
    echo "---- last 40 lines of its output ($logf) ----" >&2
    tail -n 40 "$logf" >&2
    keep_work=1
    exit "$rc"
  fi
}

# Quiet go query; sets QUERY_OUT and QUERY_ERR, returns go's exit code.
go_query() {
  local rc=0
  QUERY_OUT="$(cd "$WORK" && "$GO" "$@" 2>"$WORK/query.err")" || rc=$?
  QUERY_ERR="$(cat "$WORK/query.err")"
  return "$rc"
}

log "building the Pulumi CLI for @pulumi/pulumi $SDK_VERSION with $("$GO" version | cut -d' ' -f3) (cache: $CACHE_ROOT)"
(cd "$WORK" && "$GO" mod init cloudpc.local/pulumi-cli-build >/dev/null 2>&1) || die "go mod init failed in $WORK"

# 1. CLI version: the cached one when only the language host is missing; else the SDK's if the proxy serves its
#    source, else the oldest newer one of the same major.
build_cli=1
cli_version="${CLOUDPC_PULUMI_CLI_VERSION:-}"
if [ -n "${CACHED_CLI_VERSION:-}" ] && [ "$rebuild" != 1 ]; then
  cli_version="$CACHED_CLI_VERSION"
  build_cli=0
fi
if [ -z "$cli_version" ]; then
  if go_query mod download -json "$CLI_MODULE@v$SDK_VERSION" && ! grep -q '"Error"' <<<"$QUERY_OUT"; then
    cli_version="v$SDK_VERSION"
  else
    why="$(sed -n 's/.*"Error": "\(.*\)",\{0,1\}$/\1/p' <<<"$QUERY_OUT" | head -n1)"
    log "the Go module proxy does not serve $CLI_MODULE@v$SDK_VERSION:"
    log "  \$ $GO mod download -json $CLI_MODULE@v$SDK_VERSION"
    log "  ${why:-$QUERY_ERR}"
    go_query list -m -versions "$CLI_MODULE" || die "cannot list $CLI_MODULE versions: $QUERY_ERR"
    for v in $(tr ' ' '\n' <<<"$QUERY_OUT" | tail -n +2 | grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | sort -V); do
      if [ "$(ver_major "$v")" = "$SDK_MAJOR" ] && ver_ge "$v" "$SDK_VERSION" \
        && go_query mod download -json "$CLI_MODULE@$v" && ! grep -q '"Error"' <<<"$QUERY_OUT"; then
        cli_version="$v"; break
      fi
    done
    [ -n "$cli_version" ] || die "no $CLI_MODULE version >= v$SDK_VERSION (major $SDK_MAJOR) is served by the proxy"
    log "NOTE: building CLI $cli_version instead (same major, newer than the SDK v$SDK_VERSION: supported by Pulumi)"
  fi
fi
log "CLI: $CLI_MODULE@$cli_version, SDK module $SDK_MODULE@$cli_version"

# 2. Language host version: pseudo-version of the commit the CLI tag points at.
lang_version="${CLOUDPC_PULUMI_LANGHOST_VERSION:-}"
lang_error=""
if [ -z "$lang_version" ]; then
  go_query list -m -json "$CLI_MODULE@$cli_version" || die "$GO list -m -json $CLI_MODULE@$cli_version: $QUERY_ERR"
  commit="$(tr -d '\n\t ' <<<"$QUERY_OUT" | sed -n 's/.*"Hash":"\([0-9a-f]\{40\}\)".*/\1/p')"
  if [ -n "$commit" ]; then
    lang_version="$commit"
  else
    lang_error="\$ $GO list -m -json $CLI_MODULE@$cli_version
  prints no Origin.Hash (the proxy's .info has no Origin), so the commit of pkg/$cli_version -- and with it the
  language host's pseudo-version -- is unknown. Set CLOUDPC_PULUMI_LANGHOST_VERSION=<commit of tag pkg/$cli_version>."
  fi
fi
if [ -n "$lang_version" ] && [ -z "$lang_error" ]; then
  if go_query list -m -json "$LANG_MODULE@$lang_version"; then
    lang_version="$(tr -d '\n\t ' <<<"$QUERY_OUT" | sed -n 's/.*"Version":"\([^"]*\)".*/\1/p')"
    log "language host: $LANG_MODULE@$lang_version"
  else
    lang_error="\$ $GO list -m -json $LANG_MODULE@$lang_version
  $QUERY_ERR"
  fi
fi
legacy_lang=0
if [ -n "$lang_error" ]; then
  log "cannot resolve the Node.js language host ($LANG_MODULE):"
  log "  $lang_error"
  if [ "${CLOUDPC_PULUMI_LEGACY_LANGHOST:-1}" != 0 ]; then
    log "NOTE: building the legacy language host instead: $LEGACY_LANG_PKG@$LEGACY_LANG_VERSION"
    legacy_lang=1
    lang_error=""
  fi
  lang_version=""
fi
if [ -n "$lang_error" ]; then
  if [ "$cli_only" != 1 ]; then
    echo "[pulumi-cli] error: no pulumi-language-nodejs. Re-run with --cli-only for the CLI alone (Automation API" >&2
    echo "  inline programs work without it; \`pulumi up\` of a runtime: nodejs project does not)." >&2
    exit 1
  fi
  log "--cli-only: building the CLI without the language host"
fi

# 3. The throwaway main module: requires the modules at matching versions, restates only the clipboard replace
#    (replaces in dependencies are ignored; the sdk's own golang.org/x/text replace must NOT be restated).
(cd "$WORK" && "$GO" mod edit -go="$("$GO" env GOVERSION | sed 's/^go//')" -replace="$CLIPBOARD_REPLACE" \
  -require="$CLI_MODULE@$cli_version" -require="$SDK_MODULE@$cli_version" \
  ${lang_version:+-require="$LANG_MODULE@$lang_version"}) || die "go mod edit failed in $WORK"

pkgs=()
[ "$build_cli" = 1 ] && pkgs+=("$CLI_MODULE/cmd/pulumi")
[ -n "$lang_version" ] && pkgs+=("$LANG_MODULE")
mkdir -p "$STAGE"
ldflags="-s -w -X $VERSION_VAR=$cli_version"
if [ ${#pkgs[@]} -gt 0 ]; then
  run_go resolve "resolving and downloading the modules the build needs (first time: several hundred MB)" \
    list -deps "${pkgs[@]}"
  total_pkgs=$(grep -vc '^go: ' "$WORK/resolve.log" || true)
  log "  $total_pkgs packages to compile; module cache now $(du -sh "$GOMODCACHE" | cut -f1)"
fi
if [ "$build_cli" = 1 ]; then
  run_go build-pulumi "compiling pulumi (~$total_pkgs packages on $(nproc) cores: the long part)" \
    build -v -trimpath -ldflags "$ldflags" -o "$STAGE/pulumi" "$CLI_MODULE/cmd/pulumi"
else
  cp "$BIN_DIR/pulumi" "$STAGE/pulumi"
fi
if [ -n "$lang_version" ]; then
  run_go build-langhost "compiling pulumi-language-nodejs" \
    build -v -trimpath -ldflags "$ldflags" -o "$STAGE/pulumi-language-nodejs" "$LANG_MODULE"
elif [ "$legacy_lang" = 1 ]; then
  # Its own module: it needs sdk/v3 at the legacy version, the CLI needs it at the CLI's.
  mkdir -p "$WORK/legacy-langhost"
  (cd "$WORK/legacy-langhost" && "$GO" mod init cloudpc.local/pulumi-langhost-build >/dev/null 2>&1 &&
    "$GO" mod edit -go="$("$GO" env GOVERSION | sed 's/^go//')" -require="$SDK_MODULE@$LEGACY_LANG_VERSION") ||
    die "go mod init/edit failed in $WORK/legacy-langhost"
  run_go build-legacy-langhost "compiling the legacy pulumi-language-nodejs (about 1 minute cold)" \
    -C legacy-langhost build -v -trimpath -ldflags "-s -w" -o "$STAGE/pulumi-language-nodejs" "$LEGACY_LANG_PKG"
  lang_version="legacy $LEGACY_LANG_PKG@$LEGACY_LANG_VERSION"
fi

got="$(pulumi_version_of "$STAGE/pulumi")"
[ "v$got" = "$cli_version" ] || die "built pulumi reports version '$got', expected $cli_version ($STAGE/pulumi version)"
{
  echo "sdk_version=$SDK_VERSION"
  echo "cli_version=$cli_version"
  echo "language_host_version=${lang_version:-none}"
  echo "go=$("$GO" env GOVERSION)"
  echo "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "build_seconds=$(( $(date +%s) - start ))"
} >"$STAGE/BUILD-INFO"
if [ "$build_cli" = 1 ]; then
  cp "$WORK/go.mod" "$WORK/go.sum" "$STAGE/" 2>/dev/null || true
else
  cp "$BIN_DIR/go.mod" "$BIN_DIR/go.sum" "$STAGE/" 2>/dev/null || true
  echo "cli_built_at=$(sed -n 's/^built_at=//p' "$BIN_DIR/BUILD-INFO" 2>/dev/null)" >>"$STAGE/BUILD-INFO"
fi
rm -rf "$BIN_DIR"
mv "$STAGE" "$BIN_DIR"
install_launcher "$BIN_DIR"
log "done in $(elapsed): $BIN_DIR ($(du -sh "$BIN_DIR" | cut -f1)); module cache $(du -sh "$GOMODCACHE" | cut -f1), build cache $(du -sh "$GOCACHE" | cut -f1)"
log "  pulumi $("$BIN_DIR/pulumi" version)${lang_version:+, pulumi-language-nodejs $lang_version}"
echo "$BIN_DIR"
