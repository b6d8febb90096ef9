#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prints the absolute path of a board's device tree from Debian's arm64 kernel package
# (linux-image-arm64, which carries the Rockchip, Xilinx, ... trees), fetching the package into the
# cache first if it is not there. Bookworm's 6.1 by default; SUITE=trixie for its 6.12, which has
# the RK3588 boards bookworm lacks.
#   scripts/board-tree.sh xilinx/zynqmp-zcu102-rev1.0.dtb
#   SUITE=trixie scripts/board-tree.sh rockchip/rk3588-rock-5b.dtb
set -euo pipefail
name=${1:?usage: [SUITE=trixie] scripts/board-tree.sh VENDOR/BOARD.dtb}
suite=${SUITE:-bookworm}
root=$(cd "$(dirname "$0")/.." && pwd)
# bookworm's arm64 packages share the cache with the guests' kernel; another suite has its own.
cache="$root/.cache/debian/arm64$([ "$suite" = bookworm ] || echo "-$suite")"
"$root/scripts/fetch-debian-packages.sh" arm64 "$suite" "$cache" linux-image-arm64 >&2
for tree in "$cache"/linux-image-arm64/usr/lib/linux-image-*/"$name"; do
  [ -f "$tree" ] || { echo "board-tree.sh: no '$name' in Debian $suite's linux-image-arm64" >&2; exit 1; }
  echo "$tree"
  exit 0
done
