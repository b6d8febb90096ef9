#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prints the absolute path of a board's device tree from Debian bookworm's arm64 kernel package
# (linux-image-arm64, which carries the Rockchip, Xilinx, ... trees), fetching the package into the
# cache first if it is not there.
#   scripts/board-tree.sh xilinx/zynqmp-zcu102-rev1.0.dtb
set -euo pipefail
name=${1:?usage: scripts/board-tree.sh VENDOR/BOARD.dtb}
root=$(cd "$(dirname "$0")/.." && pwd)
cache="$root/.cache/debian/arm64"
"$root/scripts/fetch-debian-packages.sh" arm64 bookworm "$cache" linux-image-arm64 >&2
for tree in "$cache"/linux-image-arm64/usr/lib/linux-image-*/"$name"; do
  [ -f "$tree" ] || { echo "board-tree.sh: no '$name' in Debian's linux-image-arm64" >&2; exit 1; }
  echo "$tree"
  exit 0
done
