#!/bin/bash
# Regenerates each replacement case's expected output with the real kustomize
# (`kubectl kustomize`, kustomize v5.5.0): expected.yaml, or expected-error.txt on failure.
set -u
cd "$(dirname "$0")"
for case in */; do
  case=${case%/}
  rm -f "$case/expected.yaml" "$case/expected-error.txt"
  if kubectl kustomize "$case" > "$case/expected.yaml" 2> /tmp/replacement-err.txt; then
    :
  else
    rm -f "$case/expected.yaml"
    sed 's/^E[0-9]* [0-9:.]* *[0-9]* run.go:[0-9]*\] //' /tmp/replacement-err.txt > "$case/expected-error.txt"
  fi
done
rm -f /tmp/replacement-err.txt
