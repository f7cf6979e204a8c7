#!/usr/bin/env bash
# `npm test`: every test, on a fresh Debian machine of this kind. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
bash scripts/install-system-deps.sh
echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
npx tsc -p dashboard/tsconfig.json --noEmit
echo "== vitest (unit, integration, interop, browser, compose)"
npx vitest run "$@"
