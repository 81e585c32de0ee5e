#!/usr/bin/env bash
# Builds the real test parts (kube-apiserver, etcd, sops, age) from the Go module proxy and
# installs gpg/openssl/git from Debian when missing. Everything is cached outside the clone,
# keyed by version, and built under a file lock so parallel callers never build twice.
#
# Usage: test/testbed/install.sh [--quiet]
# Prints the bin directory on its last line.
set -euo pipefail

K8S_VERSION=v1.35.4
ETCD_VERSION=v3.6.16
SOPS_VERSION=v3.13.3
AGE_VERSION=v1.3.2

CACHE="${KUSTODIAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kustodian/testbed}"
BIN="$CACHE/bin"
SRC="$CACHE/src"
LOGS="$CACHE/logs"
mkdir -p "$BIN" "$SRC" "$LOGS"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath
export GOCACHE="${KUSTODIAN_GOCACHE:-$CACHE/go-build}"
export GOMODCACHE="${KUSTODIAN_GOMODCACHE:-$CACHE/go-mod}"
# Builds of kube-apiserver peak at several GB per compile job; two jobs fit in 24 GiB.
export GOMAXPROCS="${GOMAXPROCS:-2}"

say() { printf '[testbed] %s\n' "$*" >&2; }

need_go() {
  # Go's own installer puts it in /usr/local/go, which a non-login shell may not have on PATH.
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
  command -v go >/dev/null 2>&1 || { say "go is not on PATH: the test bed builds its parts with Go (see README, Requirements)"; exit 3; }
}

# Debian packages the tests use as real peers.
install_debian_tools() {
  local missing=()
  command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v git >/dev/null 2>&1 || missing+=(git)
  command -v flock >/dev/null 2>&1 || missing+=(util-linux)
  command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      say "not root: install ${missing[*]} with your package manager"; exit 3
    fi
  fi
}

# Runs "$2..." with output in a log; on failure says which part failed and where its log is.
run_logged() {
  local part="$1"; shift
  local log="$LOGS/$part.log"
  if ! "$@" >"$log" 2>&1; then
    say "building $part failed; log: $log"
    tail -n 30 "$log" >&2 || true
    exit 4
  fi
}

build_etcd() {
  local out="$BIN/etcd-$ETCD_VERSION" w="$SRC/etcd-$ETCD_VERSION"
  [ -x "$out" ] && return 0
  say "building etcd $ETCD_VERSION (first run only)"
  mkdir -p "$w"
  run_logged etcd bash -c "cd '$w' && { [ -f go.mod ] || go mod init kustodian.test/etcd-build; } \
    && go get go.etcd.io/etcd/server/v3@$ETCD_VERSION \
    && go build -ldflags '-s -w' -o '$out.tmp' go.etcd.io/etcd/server/v3 && mv '$out.tmp' '$out'"
}

build_kube_apiserver() {
  local out="$BIN/kube-apiserver-$K8S_VERSION" w="$SRC/k8s-$K8S_VERSION"
  [ -x "$out" ] && return 0
  say "building kube-apiserver $K8S_VERSION (first run only, several minutes)"
  local stage="v0.${K8S_VERSION#v1.}" minor
  minor="$(echo "$K8S_VERSION" | cut -d. -f2)"
  mkdir -p "$w"
  local staging="api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
    cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api
    cri-client csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms
    kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics
    mount-utils pod-security-admission sample-apiserver sample-cli-plugin sample-controller"
  local edits="" m
  for m in $staging; do edits="$edits -replace=k8s.io/$m=k8s.io/$m@$stage"; done
  local v=k8s.io/component-base/version
  run_logged kube-apiserver bash -c "cd '$w' && { [ -f go.mod ] || go mod init kustodian.test/k8s-build; } \
    && go mod edit -go=1.25.0 -godebug=default=go1.25 $edits \
    && go get k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION \
    && go build -ldflags '-s -w -X $v.gitVersion=$K8S_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean -X $v.buildDate=1970-01-01T00:00:00Z' \
       -o '$out.tmp' k8s.io/kubernetes/cmd/kube-apiserver && mv '$out.tmp' '$out'"
}

build_go_tool() { # name version package
  local name="$1" version="$2" pkg="$3"
  local out="$BIN/$name-$version"
  [ -x "$out" ] && return 0
  say "building $name $version (first run only)"
  local tmp="$CACHE/gobin-$name-$version"
  rm -rf "$tmp"; mkdir -p "$tmp"
  run_logged "$name" env GOBIN="$tmp" go install -ldflags '-s -w' "$pkg@$version"
  mv "$tmp/$name" "$out"; rm -rf "$tmp"
}

link() { ln -sfn "$1-$2" "$BIN/$1"; }

main() {
  install_debian_tools
  need_go
  exec 9>"$CACHE/.build.lock"
  flock 9
  build_go_tool age "$AGE_VERSION" filippo.io/age/cmd/age
  build_go_tool age-keygen "$AGE_VERSION" filippo.io/age/cmd/age-keygen
  build_go_tool sops "$SOPS_VERSION" github.com/getsops/sops/v3/cmd/sops
  build_etcd
  build_kube_apiserver
  link age "$AGE_VERSION"; link age-keygen "$AGE_VERSION"; link sops "$SOPS_VERSION"
  link etcd "$ETCD_VERSION"; link kube-apiserver "$K8S_VERSION"
  flock -u 9
  # Cloud KMS emulators (own script, same cache and lock). One that fails to build is reported
  # and skipped: the rest of the test bed stays usable and only that emulator's tests fail.
  bash "$(dirname "${BASH_SOURCE[0]}")/install-emulators.sh" || say "continuing without the emulators named above"
  echo "$BIN"
}

main "$@"
