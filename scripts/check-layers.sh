#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Enforces the include rules of docs/architecture.md ("Layers"): each directory may include the
# headers of the layers below it and its own, never those above. Run by `make test` (and alone as
# `make check-layers`); prints every violation as file:line and exits 1 if there is any.
set -euo pipefail
cd "$(dirname "$0")/.."

# directory (source and public headers) -> the include prefixes it may use
declare -A allowed=(
  [src/lib]="lib"                              [include/lib]="lib"
  [src/arch]="lib kernel arch arch_impl"       [include/arch]="lib kernel arch arch_impl"
  [src/kernel]="lib kernel arch arch_impl"     [include/kernel]="lib kernel arch arch_impl"
  [src/drivers]="lib kernel arch arch_impl drivers" [include/drivers]="lib kernel arch drivers"
  [src/fs]="lib kernel drivers fs"             [include/fs]="lib kernel drivers fs"
  [src/vmm]="lib kernel arch drivers fs vmm vdev virt"
  [include/vmm]="lib kernel arch vmm virt virt_impl"
  [src/vdev]="lib kernel arch drivers vmm vdev" [include/vdev]="lib kernel vmm vdev"
  # ("include/": a file's own private headers by relative path, for the host-built decoders)
  [src/virt]="lib kernel arch arch_impl drivers fs vmm vdev virt virt_impl include"
  [include/virt]="lib kernel arch vmm virt"
  # The shell sits on top, beside src/main.c: it manages VMs through the VMM's interfaces.
  [src/shell]="lib kernel arch fs vmm shell"     [include/shell]="lib"
)
# Arch-neutral code chooses nothing by #ifdef: the build (objects.mk) and the contracts do.
neutral="src/lib src/kernel src/vmm src/vdev src/fs src/shell include/lib include/kernel include/vmm include/vdev include/virt"

failures=0
for dir in "${!allowed[@]}"; do
  [ -d "$dir" ] || continue
  ok=" ${allowed[$dir]} "
  while IFS=: read -r file line prefix; do
    case "$ok" in *" $prefix "*) continue ;; esac
    echo "$file:$line: includes \"$prefix/...\", but $dir may include only: ${allowed[$dir]}"
    failures=$((failures + 1))
  done < <(grep -rnoE '^#[[:space:]]*include[[:space:]]+"[a-z_]+/' "$dir" --include='*.c' --include='*.h' --include='*.S' |
           sed -E 's/^([^:]*):([0-9]*):.*"([a-z_]+)\/$/\1:\2:\3/')
done
while IFS= read -r hit; do
  echo "$hit: an arch conditional in arch-neutral code (the build chooses, the contracts abstract)"
  failures=$((failures + 1))
done < <(grep -rnE '#[[:space:]]*(if|ifdef|ifndef|elif).*(__aarch64__|__riscv|__x86_64__|\bARCH_)' $neutral 2>/dev/null || true)

if [ "$failures" -gt 0 ]; then
  echo "check-layers: $failures violation(s) of the include rules (docs/architecture.md, Layers)" >&2
  exit 1
fi
echo "check-layers: every include follows the layers (docs/architecture.md)"
