#!/usr/bin/env bash
# Builds the cloud key service emulators the key-source tests talk to, from the Go module proxy,
# into the same cache as install.sh (keyed by version, under the same file lock).
#
# A part that fails to build is reported (with its log) and skipped: the other parts and the
# rest of the test bed stay usable, and the tests of the missing part fail naming the log. A
# failed version is not retried on every run; delete its marker (printed) or set
# KUSTODIAN_RETRY_EMULATORS=1 to try again. KUSTODIAN_SKIP_EMULATORS=1 builds none (e.g. for a
# demo that needs no cloud KMS).
#
# Usage: test/testbed/install-emulators.sh [part...]   (parts: local-kms vault; default: all)
# Exits 0 when every requested part is there, 4 when one failed to build.
set -euo pipefail

# local-kms tags lack the "v" Go needs, so the proxy serves it by pseudo-version only.
LOCAL_KMS_VERSION=v0.0.0-20260228092603-2a5e92d09ab6
# Vault transit: OpenBao (licence and size make it the first choice) is refused by the module
# proxy here ("403 This module version is not available" for its v2.6.2 commit); Vault is served.
VAULT_VERSION=v1.21.4
# No GCP KMS or Azure Key Vault/Entra part yet: the proxy answers the same 403 for
# winor30/fake-cloud-kms@v0.0.1, blackwell-systems/gcp-kms-emulator@v0.8.2,
# calvinchengx/azure-keyvault-emulator@v0.7.0 and calvinchengx/entra-emulator@v0.9.0.

CACHE="${KUSTODIAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kustodian/testbed}"
BIN="$CACHE/bin"
SRC="$CACHE/src"
LOGS="$CACHE/logs"
mkdir -p "$BIN" "$SRC" "$LOGS"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath
export GOCACHE="${KUSTODIAN_GOCACHE:-$CACHE/go-build}"
export GOMODCACHE="${KUSTODIAN_GOMODCACHE:-$CACHE/go-mod}"
export GOMAXPROCS="${GOMAXPROCS:-2}"

say() { printf '[testbed] %s\n' "$*" >&2; }

failed=()

# Runs "$3..." for part $1 at version $2 with output in $LOGS/<part>.log; on failure records the
# part, leaves a marker so the next run does not rebuild it, and shows the log's tail.
run_logged() {
  local part="$1" version="$2"; shift 2
  local log="$LOGS/$part.log" marker="$LOGS/$part-$version.failed"
  local started=$SECONDS
  if ! "$@" >"$log" 2>&1; then
    say "building $part $version failed; log: $log"
    tail -n 20 "$log" >&2 || true
    touch "$marker"
    failed+=("$part")
    return 1
  fi
  say "built $part $version in $((SECONDS - started)) s"
}

# True (and says so) when this version failed before and no retry was asked for.
failed_before() {
  local part="$1" version="$2" marker="$LOGS/$1-$2.failed"
  [ -f "$marker" ] || return 1
  if [ "${KUSTODIAN_RETRY_EMULATORS:-}" = 1 ]; then rm -f "$marker"; return 1; fi
  say "skipping $part $version: its build failed before (log: $LOGS/$part.log); retry: rm $marker"
  failed+=("$part")
  return 0
}

build_local_kms() {
  local out="$BIN/local-kms-$LOCAL_KMS_VERSION"
  [ -x "$out" ] && return 0
  failed_before local-kms "$LOCAL_KMS_VERSION" && return 0
  say "building local-kms $LOCAL_KMS_VERSION (first run only, about a minute)"
  local tmp="$CACHE/gobin-local-kms"
  rm -rf "$tmp"; mkdir -p "$tmp"
  run_logged local-kms "$LOCAL_KMS_VERSION" bash -c "GOBIN='$tmp' go install -ldflags '-s -w' \
      github.com/nsmithuk/local-kms@$LOCAL_KMS_VERSION && mv '$tmp/local-kms' '$out'" || true
  rm -rf "$tmp"
}

# Vault's go.mod replaces its api/sdk modules with in-tree directories, which `go install`
# refuses. A wrapper module builds a copy of the Vault module instead, with upstream's non-local
# replaces. The in-tree sdk of the 1.21 branch was never published: sdk v0.20.0 lacks functions
# Vault calls and v0.21.0 (which go.mod names) differs in two signatures, so the copy gets two
# small patches to build against v0.21.0 (neither touches transit's encrypt/decrypt paths).
# Runs in a child bash with errexit (run_logged's `if !` would switch it off in a function).
vault_build_steps() {
  local out="$1" w="$2" dir
  cd "$w"
  rm -rf go.mod go.sum vault-src
  go mod init kustodian.test/vault-build
  dir="$(go mod download -json "github.com/hashicorp/vault@$VAULT_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  cp -r "$dir" vault-src
  chmod -R u+w vault-src
  sed -i 's/activateDeduplication(ctx context.Context, req \*logical.Request) error {/activateDeduplication(ctx context.Context, req *logical.Request, _ string) error {/' \
    vault-src/vault/identity_store_util.go
  sed -i 's/b.idStoreBackend.ActivationFunc(ctx, nil)/b.idStoreBackend.ActivationFunc(ctx, nil, "")/' \
    vault-src/vault/logical_system_activation_flags.go
  # The in-tree RestorePolicy also returns the restored name, used only for an observation.
  sed -i 's/restoredKeyName, err := b.lm.RestorePolicy(/restoredKeyName, err := keyName, b.lm.RestorePolicy(/' \
    vault-src/builtin/logical/transit/path_restore.go
  # Fail here, not deep in the compile, if a new Vault version no longer matches the patch.
  grep -q 'req \*logical.Request, _ string) error {' vault-src/vault/identity_store_util.go
  grep -q 'ActivationFunc(ctx, nil, "")' vault-src/vault/logical_system_activation_flags.go
  grep -q 'err := keyName, b.lm.RestorePolicy(' vault-src/builtin/logical/transit/path_restore.go
  go mod edit -replace=github.com/hashicorp/vault=./vault-src \
    -replace=github.com/99designs/keyring=github.com/Jeffail/keyring@v1.2.3 \
    -replace=github.com/ma314smith/signedxml@v1.1.1=github.com/moov-io/signedxml@v1.1.1
  go get "github.com/hashicorp/vault@$VAULT_VERSION"
  go build -ldflags '-s -w' -o "$out.tmp" github.com/hashicorp/vault
  mv "$out.tmp" "$out"
}

build_vault() {
  local out="$BIN/vault-$VAULT_VERSION" w="$SRC/vault-$VAULT_VERSION"
  [ -x "$out" ] && return 0
  failed_before vault "$VAULT_VERSION" && return 0
  say "building vault $VAULT_VERSION (first run only, about 15 minutes on 2 cores)"
  mkdir -p "$w"
  export -f vault_build_steps
  export VAULT_VERSION
  run_logged vault "$VAULT_VERSION" bash -c 'set -euo pipefail; vault_build_steps "$@"' _ "$out" "$w" || true
}

link() { [ -x "$BIN/$1-$2" ] && ln -sfn "$1-$2" "$BIN/$1"; return 0; }

main() {
  if [ "${KUSTODIAN_SKIP_EMULATORS:-}" = 1 ]; then say "KUSTODIAN_SKIP_EMULATORS=1: not building emulators"; return 0; fi
  command -v go >/dev/null 2>&1 || { say "go is not on PATH: the emulators are built with Go"; exit 3; }
  local parts=("$@")
  [ "${#parts[@]}" -gt 0 ] || parts=(local-kms vault)
  local part
  for part in "${parts[@]}"; do
    case "$part" in
      local-kms | vault) ;;
      *) say "unknown emulator part: $part (known: local-kms vault)"; exit 2 ;;
    esac
  done
  exec 9>"$CACHE/.build.lock"
  flock 9
  for part in "${parts[@]}"; do
    case "$part" in
      local-kms) build_local_kms; link local-kms "$LOCAL_KMS_VERSION" ;;
      vault) build_vault; link vault "$VAULT_VERSION" ;;
    esac
  done
  flock -u 9
  if [ "${#failed[@]}" -gt 0 ]; then
    say "emulators missing: ${failed[*]}; their tests will fail until they build"
    exit 4
  fi
}

main "$@"
