#!/bin/bash
# Regenerates the selector case's expected output with the real kustomize (`kubectl kustomize`,
# kustomize v5.5.0): each patch i adds the label matched-i to the resources its target selects.
set -eu
cd "$(dirname "$0")"
kubectl kustomize targets > targets/expected.yaml
