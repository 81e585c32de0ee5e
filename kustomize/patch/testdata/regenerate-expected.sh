#!/bin/bash
# Regenerates the expected output of every strategic-merge case with the real kustomize
# (`kubectl kustomize`, kustomize v5.5.0): expected.yaml on success, expected-error.txt on failure.
# Cases: smp/ (strategic merge, matched by name) and json6902/ (targeted at the name r).
set -u
cd "$(dirname "$0")"
for case in smp/*/ json6902/*/; do
  case=${case%/}
  work=$(mktemp -d)
  cp "$case/resource.yaml" "$case/patch.yaml" "$work/"
  printf 'resources: [resource.yaml]\npatches:\n- path: patch.yaml\n' > "$work/kustomization.yaml"
  # JSON 6902 patches need a target; their resources are all named r.
  case $case in json6902/*) printf '  target: {name: r}\n' >> "$work/kustomization.yaml" ;; esac
  rm -f "$case/expected.yaml" "$case/expected-error.txt"
  if kubectl kustomize "$work" > "$work/out.yaml" 2> "$work/err.txt"; then
    cp "$work/out.yaml" "$case/expected.yaml"
  else
    sed "s|$work|<dir>|g" "$work/err.txt" > "$case/expected-error.txt"
  fi
  rm -rf "$work"
done
