#!/usr/bin/env bash
# Builds a two-model repository for the matrix self-test: models a and b
# released at 1.0.0; then b gains a tier and declares 1.1.0 with its notes
# (the gate passes, required bump minor) while a stays as released. So
# `modelgate models --changed` lists b only.
#
#   testdata/action/monorepo.sh DIR
set -euo pipefail
dir=${1:?usage: monorepo.sh DIR}
rm -rf "$dir"
mkdir -p "$dir/models/a" "$dir/models/b/releases"
cd "$dir"
export GIT_AUTHOR_NAME=modelgate GIT_AUTHOR_EMAIL=ci@modelgate.invalid
export GIT_COMMITTER_NAME=modelgate GIT_COMMITTER_EMAIL=ci@modelgate.invalid
git init -q -b main
echo "models: [models/a/manifest.yaml, models/b/manifest.yaml]" >.modelgate.yaml
for m in a b; do
  cat >"models/$m/manifest.yaml" <<YAML
model: $m-v1.0.0
architecture:
  hidden_size: 1024
tiers:
  - name: core
    experts: 8
YAML
done
git add -A
git commit -qm "release a 1.0.0 and b 1.0.0"
git tag -a a-v1.0.0 -m "a 1.0.0"
git tag -a b-v1.0.0 -m "b 1.0.0"
cat >models/b/manifest.yaml <<'YAML'
model: b-v1.1.0
architecture:
  hidden_size: 1024
tiers:
  - name: core
    experts: 8
  - name: long-context
    experts: 4
YAML
echo "A long-context tier with four experts." >models/b/releases/v1.1.0.md
git add -A
git commit -qm "b: the long-context tier"
