#!/usr/bin/env bash
# Builds a small model repository for the action's self-test: release
# lite-llm-base-v1.0.0, then a commit that adds a tier and declares 1.1.0
# with its notes, which the gate passes with required bump "minor".
#
#   testdata/action/fixture.sh DIR
set -euo pipefail
dir=${1:?usage: fixture.sh DIR}
rm -rf "$dir"
mkdir -p "$dir/releases"
cd "$dir"
export GIT_AUTHOR_NAME=modelgate GIT_AUTHOR_EMAIL=ci@modelgate.invalid
export GIT_COMMITTER_NAME=modelgate GIT_COMMITTER_EMAIL=ci@modelgate.invalid
git init -q -b main
cat >manifest.yaml <<'YAML'
model: lite-llm-base-v1.0.0
architecture:
  hidden_size: 4096
  num_layers: 32
tiers:
  - name: core
    experts: 8
YAML
echo "First release." >releases/v1.0.0.md
git add -A
git commit -qm "release 1.0.0"
git tag -a lite-llm-base-v1.0.0 -m "release 1.0.0"
cat >manifest.yaml <<'YAML'
model: lite-llm-base-v1.1.0
architecture:
  hidden_size: 4096
  num_layers: 32
tiers:
  - name: core
    experts: 8
  - name: long-context
    experts: 4
YAML
echo "A long-context tier with four experts." >releases/v1.1.0.md
git add -A
git commit -qm "add the long-context tier"
