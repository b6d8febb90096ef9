#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds an image of the arch's bench guest (VM 1) pinned to CPU 0 and the CPU-bound ticker guest
# (VM 2, tests/e2e/configs/shell-ticker-a-ARCH.toml) pinned to CPU 1: a timer latency with a second
# VM busy on another CPU (issue 19). The pinned configs go to BUILD/configs, three directories
# down like the originals, so that their relative image paths still hold.
#   bench/pinned_pair.sh ARCH BUILD
set -euo pipefail
arch=$1 B=$2
cd "$(dirname "$0")/.."
mkdir -p "$B/configs"
pin() { sed "s/^cpu_num = 1\$/cpu_num = 1\nphys_cpu_ids = [$2]/" "$1"; }
pin tests/guests/$arch/bench.toml 0x0 > "$B/configs/bench.toml"
pin tests/e2e/configs/shell-ticker-a-$arch.toml 0x1 > "$B/configs/ticker.toml"
grep -q '^phys_cpu_ids = \[0x1\]' "$B/configs/ticker.toml"
make -s ARCH="$arch" BUILD="$B" VM_CONFIGS="$B/configs/bench.toml:$B/configs/ticker.toml" >/dev/null
