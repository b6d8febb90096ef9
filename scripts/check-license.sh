#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every tracked source file says its license in its first lines (CONTRIBUTING.md): prints those
# that do not and exits 1 if there is any. Run by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=$(git ls-files -- '*.c' '*.h' '*.S' '*.dts' '*.ld' '*.py' '*.sh' '*.mk' Makefile .ci/run |
          while IFS= read -r f; do head -n 3 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' || echo "$f"; done)
if [ -n "$missing" ]; then
  echo "$missing"
  echo "check-license: these files have no 'SPDX-License-Identifier: Apache-2.0' line at the top" >&2
  exit 1
fi
echo "check-license: every source file carries its SPDX line"
