# Shared by the bash tests (source it after `cd`): a scratch folder removed at exit, `check`
# to record one assertion, and `finish` to print the closing line ctest logs show
# ("N passed, M failed") and exit non-zero on any failure.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
checks=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  checks=$((checks + 1))
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
finish() {
  echo "$((checks - failures)) passed, $failures failed"
  exit $((failures > 0))
}
