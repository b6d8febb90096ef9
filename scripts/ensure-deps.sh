#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages a make target needs, and nothing else. As root it runs apt-get (with
# one 'apt-get update' first); otherwise it prints the exact command and fails, so nothing is half set up.
#   scripts/ensure-deps.sh build|run|test|disk|analysis
set -euo pipefail
what=${1:-build}

# package -> a file or command that proves it is installed (dpkg-query is slower and misses alternatives)
declare -A proof=(
  [clang-14]=/usr/bin/clang-14
  [lld-14]=/usr/bin/ld.lld-14
  [llvm-14]=/usr/bin/llvm-objcopy-14
  [make]=/usr/bin/make
  [qemu-system-arm]=/usr/bin/qemu-system-aarch64
  [qemu-system-misc]=/usr/bin/qemu-system-riscv64
  [opensbi]=/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin
  [qemu-system-x86]=/usr/bin/qemu-system-x86_64
  [python3]=/usr/bin/python3
  [python3-pytest]=/usr/lib/python3/dist-packages/pytest/__init__.py
  [python3-pexpect]=/usr/lib/python3/dist-packages/pexpect/__init__.py
  [libcmocka-dev]=/usr/include/cmocka.h
  [libclang-rt-14-dev]=/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
  [gcc]=/usr/bin/gcc
  [mtools]=/usr/bin/mcopy
  [dosfstools]=/usr/sbin/mkfs.fat
  [device-tree-compiler]=/usr/bin/dtc
  # The Linux guests' ext4 roots (scripts/make-linux-root.sh): mke2fs -d, and sfdisk for the
  # partitioned ones (in Debian's fdisk package, not util-linux).
  [e2fsprogs]=/sbin/mke2fs
  [fdisk]=/sbin/sfdisk
  # make static-analysis (scripts/static-analysis.sh)
  [clang-tidy-14]=/usr/bin/clang-tidy-14
  [cppcheck]=/usr/bin/cppcheck
)

case "$what" in
  build) want=(clang-14 lld-14 llvm-14 make) ;;
  run) want=(clang-14 lld-14 llvm-14 make qemu-system-arm qemu-system-misc opensbi qemu-system-x86) ;;
  test) want=(clang-14 lld-14 llvm-14 make gcc qemu-system-arm qemu-system-misc opensbi qemu-system-x86
              python3 python3-pytest python3-pexpect libcmocka-dev libclang-rt-14-dev mtools dosfstools device-tree-compiler
              e2fsprogs fdisk clang-tidy-14 cppcheck) ;;
  disk) want=(mtools dosfstools) ;;
  analysis) want=(clang-14 make clang-tidy-14 cppcheck) ;;
  *) echo "ensure-deps.sh: unknown set '$what' (build, run, test, disk, analysis)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  [ -e "${proof[$p]}" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages. Run as root:" >&2
  echo "  apt-get update && $cmd" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
