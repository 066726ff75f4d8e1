#!/usr/bin/env bash
# Installs the interop tests' npm packages (usp-js and what it pulls in)
# exactly as package-lock.json pins them, into tests/interop/node_modules.
# Does nothing when they are already installed from this lock file.
# Install scripts are skipped: none is needed (the websocket package's native
# helpers ship prebuilt, with JavaScript fallbacks), and npm versions differ
# in whether they run them.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.usp-interop-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
echo "interop: npm ci (usp-js, pinned in tests/interop/package-lock.json)"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
