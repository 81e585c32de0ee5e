#!/bin/bash
# Regenerates each vars case's expected output with the real kustomize (`kubectl kustomize`,
# kustomize v5.5.0). The deprecation warning on stderr is not part of the output.
set -eu
cd "$(dirname "$0")"
for case in */; do
  kubectl kustomize "${case%/}" > "${case%/}/expected.yaml" 2> /dev/null
done
