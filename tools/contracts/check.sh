#!/usr/bin/env bash
# Checks the contracts: the .proto files pass buf's lint, they break nothing on the wire against the committed
# baseline image (libs/contracts/baseline.binpb), and libs/contracts/src/generated matches them.
set -euo pipefail
cd "$(dirname "$0")/../../libs/contracts"
buf=../../node_modules/.bin/buf
"$buf" lint
if ! "$buf" breaking --against baseline.binpb; then
  echo "contracts: proto/ breaks the wire against baseline.binpb: give a field whose meaning changes a new number and" \
    "reserve the old one (libs/contracts/README.md, 'Changing a contract')" >&2
  exit 1
fi
"$buf" generate
if ! git diff --exit-code --stat -- src/generated || [ -n "$(git ls-files --others --exclude-standard -- src/generated)" ]; then
  echo "contracts: src/generated is out of date with proto/; run 'npx nx run contracts:generate' and commit" >&2
  exit 1
fi
echo "contracts: lint clean, nothing broken against baseline.binpb, generated code matches the .proto files"
