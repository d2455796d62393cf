#!/usr/bin/env bash
# Fails, listing the files, when a tracked .cpp or .hpp differs from what clang-format (with the
# repository's .clang-format) would make of it. `make format` fixes them.
set -euo pipefail
cd "$(dirname "$0")/.."

clang_format="${CLANG_FORMAT:-clang-format}"
if ! command -v "$clang_format" >/dev/null; then
  echo "format-check: $clang_format not found" >&2
  exit 2
fi

# One clang-format for all files (one per file costs a few seconds more); each violation is
# reported as "FILE:LINE:COLUMN: error: code should be clang-formatted".
report=$(git ls-files -z '*.cpp' '*.hpp' | xargs -0 "$clang_format" --dry-run -Werror 2>&1) &&
  status=0 || status=$?
if [ "$status" -eq 0 ]; then
  echo "format-check: every tracked .cpp and .hpp is clang-formatted"
  exit 0
fi

unformatted=$(grep -E '^[^ :]+:[0-9]+:[0-9]+: error: code should be clang-formatted' \
  <<<"$report" | cut -d: -f1 | sort -u || true)
if [ -z "$unformatted" ]; then
  # clang-format failed for another reason (an unreadable file, a bad .clang-format).
  echo "$report" >&2
  exit "$status"
fi
echo "not clang-formatted (fix with \`make format\` or \`$clang_format -i FILE\`):" >&2
sed 's/^/  /' <<<"$unformatted" >&2
exit 1
