#!/usr/bin/env bash
# docs/numerics.md is complete: tests/tools/numerics_from_doc.cpp, written from the text alone,
# reproduces every record of tests/golden/numerics_v1.txt (docs/numerics.md §12.2).
#   numerics_doc_test.sh NUMERICS_FROM_DOC_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
golden=tests/golden/numerics_v1.txt
got=$(mktemp)
trap 'rm -f "$got"' EXIT
{ "$bin"; "$bin" --elementwise <"$golden"; } >"$got"
stray=$(sed 's/  #.*//' "$golden" | grep -vxFf - "$got" || true)
records=$(grep -c . "$got")
# Every record but the file's header ("lockstep-golden v1") and trailer ("end N").
golden_records=$(grep -v '^#' "$golden" | grep -vc '^lockstep-golden \|^end ')
if [[ -n $stray ]]; then
  echo "FAILED: lines the doc's re-implementation prints that are not golden records:"
  echo "$stray" | head -20
  exit 1
fi
if ((records < golden_records)); then
  echo "FAILED: the doc's re-implementation printed $records records, the golden file has $golden_records"
  exit 1
fi
echo "docs/numerics.md reproduces all $records records of $golden"
