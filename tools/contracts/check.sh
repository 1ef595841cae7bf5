#!/usr/bin/env bash
# Fails when the generated TypeScript in libs/contracts/src/generated does not match the .proto files.
set -euo pipefail
cd "$(dirname "$0")/../../libs/contracts"
../../node_modules/.bin/buf lint
../../node_modules/.bin/buf generate
if ! git diff --exit-code --stat -- src/generated || [ -n "$(git ls-files --others --exclude-standard -- src/generated)" ]; then
  echo "contracts: src/generated is out of date with proto/; run 'npx nx run contracts:generate' and commit" >&2
  exit 1
fi
echo "contracts: generated code matches the .proto files"
