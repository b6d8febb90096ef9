#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# virtio-blk inside a Linux guest (issue 14), printed, gating nothing: O_DIRECT dd in the guest
# (tessera.ddbench= in tests/guests/linux/init.sh) on a 300 MiB sparse raw disk: a sequential
# 256 MiB write and read in 1 MiB blocks and 500 reads of 4 KiB at fixed pseudo-random offsets,
# timed by the guest's own clock
#  - under Tessera: the Linux VM of scripts/prepare-linux-guest.sh with a virtio-blk device (virtio-
#    mmio) on host disk 1, the data disk; disk 0 is an empty FAT32 disk, the hypervisor's;
#  - on bare QEMU: the same kernel, initramfs and command line with QEMU's own modern virtio-blk
#    (scripts/bare-qemu-linux.sh) on a data disk made the same way;
# side by side with the ratio (target: Tessera >= 0.8x bare QEMU for sequential read and write),
# and what Tessera's VM costs per MiB: exits, and its device's requests, notifies and interrupts.
# Those are counted at VM stop, for the whole boot, so they come from two more boots, not timed: one
# with a single round of the sequential write and read (and 10 random reads), less one that moves
# nothing (tessera.ddbench.rounds=0); what a random read costs is what is left of a timed boot's
# counts. The figures are merged into build/bench-ARCH/bench.json under virtio_blk.*
# (bench/json_put.py).
#   bench/virtio_blk.sh ARCH            (called by bench/ARCH/run.sh)
# PLATFORM=aia (riscv64) runs Tessera on QEMU virt with the AIA (qemu-run.sh PLATFORM=aia), the VM
# with a vAPLIC and IMSIC guest interrupt files instead of the vPLIC: Linux claims the device's
# interrupt through stopei with no exit, so a request and its interrupt take 4 exits (the notify,
# virtio-mmio's status read and acknowledgement, the APLIC's end of a level interrupt, setipnum)
# where the vPLIC takes 7 (no setipnum; two claims, a completion and a read of the enables). Bare
# QEMU stays on the PLIC machine: this guest's kernel did not get past "cma: Failed to reserve" on
# QEMU 7.2's own AIA machine in ten minutes. Figures under virtio_blk_aia.*.
# TRACE=1 adds a traced boot a side and prints where a 1 MiB block's time goes: in QEMU's device
# or outside it (bench/virtio_blk_trace.py).
# The machine is shared and wall-clock figures drift with its load: each side boots RUNS times
# (default 2), alternately, each boot doing ROUNDS rounds (default 2), and the best round counts.
set -euo pipefail
# The hypervisor powers off when its last VM stops (no shell): qemu-run.sh's CMDLINE.
export CMDLINE=tessera.shell=off
cd "$(dirname "$0")/.."
arch=${1:?usage: bench/virtio_blk.sh ARCH}
# Where the VM's device goes: a free window and interrupt beside the generated config's devices,
# as in tests/e2e/test_linux_virtio_blk.py, and the image qemu-run.sh boots.
image=tessera.bin
case "$arch" in
  aarch64) device='["vda@disk1", 0x0a00_0000, 0x200, 0x30, 0xE1, []],' ;;
  riscv64) device='["vda@disk1", 0x1000_1000, 0x200, 1, 0xE1, []],' ;;
  # virtio-pci: the BAR at the window, INTA# on ISA IRQ 11.
  x86_64) device='["vda@disk1", 0xfebf_0000, 0x4000, 11, 0xE1, []],' image=tessera.elf32 ;;
  *) echo "bench/virtio_blk.sh: unknown arch '$arch' (aarch64 riscv64 x86_64)" >&2; exit 2 ;;
esac
runs=${RUNS:-2} rounds=${ROUNDS:-2} mib=256 ios=500
started=$(date +%s)
B=build/bench-$arch
W=$B-virtio-blk${PLATFORM:+-$PLATFORM}
json=$B/bench.json
mkdir -p "$W"
words="tessera.ddbench=/dev/vda tessera.ddbench.mib=$mib tessera.ddbench.ios=$ios"

# The VM config: linux-1cpu.toml with the device and the bench's words, beside it (its image paths
# are relative to its directory); one image that benchmarks, one for counting and one that only
# boots, for the counts' baseline.
dir=$(scripts/prepare-linux-guest.sh "$arch" 2>/dev/null | tail -n1)
# PLATFORM=aia: the vAPLIC and an IMSIC page for the one vCPU instead of the vPLIC, as
# tests/e2e/test_linux_riscv64.py's aia_config has them; configs and images beside the PLIC ones.
aia_sed=() sfx=${PLATFORM:+-$PLATFORM}
case "$arch:${PLATFORM:-}" in
  *:) ;;
  riscv64:aia) aia_sed=(-e 's|^    \["vplic", 0x0c00_0000, 0x60_0000, 0, 0x1, \[\]\],$|    ["aplic", 0x0d00_0000, 0x8000, 0, 0x1, []],\n    ["imsic", 0x2800_0000, 0x1000, 0, 0x1, []],|') ;;
  *) echo "bench/virtio_blk.sh: no PLATFORM '$PLATFORM' for $arch (riscv64: aia)" >&2; exit 2 ;;
esac
derive() { # NAME WORDS
  sed -e "s|^\(cmdline = \"[^\"]*\)\"|\1 $2\"|" -e "s|^emu_devices = \[\$|&\n    $device|" "${aia_sed[@]}" \
    "$dir/linux-1cpu.toml" > "$dir/$1$sfx.toml.new"
  # Rewritten only when it changes: make rebuilds what a newer config names.
  [ -z "$sfx" ] || grep -q '"imsic"' "$dir/$1$sfx.toml.new" ||
    { echo "bench/virtio_blk.sh: the vPLIC entry of $dir/linux-1cpu.toml moved" >&2; exit 1; }
  cmp -s "$dir/$1$sfx.toml.new" "$dir/$1$sfx.toml" 2>/dev/null && rm "$dir/$1$sfx.toml.new" || mv "$dir/$1$sfx.toml.new" "$dir/$1$sfx.toml"
}
derive linux-ddbench "$words tessera.ddbench.rounds=$rounds"
derive linux-ddbench-count "tessera.ddbench=/dev/vda tessera.ddbench.mib=$mib tessera.ddbench.ios=10 tessera.ddbench.rounds=1"
derive linux-ddbench-idle "$words tessera.ddbench.rounds=0"
for name in linux-ddbench linux-ddbench-count linux-ddbench-idle; do
  make -s ARCH="$arch" BUILD="$W/build" VM_CONFIGS="$dir/$name$sfx.toml" >/dev/null
  cp "$W/build/$image" "$W/$name.bin"
done
DISK_SIZE_MB=34 scripts/make-disk-img.sh "$W/disk0.img" "$arch" >/dev/null

fresh_disk() { rm -f "$W/data.img"; truncate -s 300M "$W/data.img"; } # sparse, as a new file is
tessera() { # IMAGE LOG
  fresh_disk
  ARCH=$arch SMP=1 DISK=$W/disk0.img DISK2=$W/data.img timeout -s KILL 600 scripts/qemu-run.sh "$1" 2>&1 |
    tr -d '\r' > "$2" || true
}
bare() { # LOG
  fresh_disk
  # bare-qemu-linux.sh appends its parameters to the config's command line: the one Tessera's VM has.
  timeout -s KILL 600 scripts/bare-qemu-linux.sh "$arch" "$W/data.img" "$words tessera.ddbench.rounds=$rounds" 2>&1 |
    tr -d '\r' > "$1" || true
}
check() { # LOG ROUNDS
  if ! grep -q "tessera-bench: done" "$1" || grep -q "tessera-bench: failed" "$1" ||
     [ "$(grep -c 'tessera-bench: round=.* rand_read_net_us=' "$1")" != "$2" ]; then
    tail -n 40 "$1"; echo "bench/virtio_blk.sh: the guest did not finish its rounds ($1)" >&2; exit 1
  fi
}
stop_line() { sed -n 's/.*VM\[1\] linux: stopped (\(.*\))$/\1/p' "$1"; }
exit_count() { # LOG [REASON]: the VM's exits, all or of one reason
  stop_line "$1" | awk -v r="${2:-}" '{
    if (r == "") { print $1; exit }
    for (i = 2; i < NF; i++) if ($i == r || $i == r ":") { n = $(i + 1); gsub(/[^0-9]/, "", n); print n; exit }
    print 0 }'
}
device_count() { # LOG WHAT (requests, notifies, interrupts)
  grep "VM\[1\] linux: vda@disk1: virtio:" "$1" | tr ',' '\n' | awk -v w="$2" '$NF == w {print $(NF - 1)}'
}

t0=$(date +%s)
tessera "$W/linux-ddbench-idle.bin" "$W/tessera-idle.log"
check "$W/tessera-idle.log" 0
tessera "$W/linux-ddbench-count.bin" "$W/tessera-count.log"
check "$W/tessera-count.log" 1
logs_t=() logs_b=()
for run in $(seq 1 "$runs"); do
  tessera "$W/linux-ddbench.bin" "$W/tessera-$run.log"; check "$W/tessera-$run.log" "$rounds"
  bare "$W/bare-$run.log"; check "$W/bare-$run.log" "$rounds"
  logs_t+=("$W/tessera-$run.log") logs_b+=("$W/bare-$run.log")
done
elapsed=$(($(date +%s) - t0))
# TRACE=1: one more boot a side with QEMU's trace of its virtio-blk device, split by
# bench/virtio_blk_trace.py into the time a 1 MiB block spends in QEMU's device and outside it (not
# timed: tracing slows both sides).
if [ "${TRACE:-0}" = 1 ]; then
  trace_args() { echo "-msg timestamp=on -D $1 -trace enable=virtio_blk_handle_read -trace enable=virtio_blk_handle_write -trace enable=virtio_blk_req_complete"; }
  rm -f "$W/trace-tessera.log" "$W/trace-bare.log"
  QEMU_ARGS=$(trace_args "$W/trace-tessera.log") tessera "$W/linux-ddbench.bin" "$W/tessera-traced.log"
  QEMU_ARGS=$(trace_args "$W/trace-bare.log") bare "$W/bare-traced.log"
  check "$W/tessera-traced.log" "$rounds"; check "$W/bare-traced.log" "$rounds"
  trace_split=$(bench/virtio_blk_trace.py "$W/trace-tessera.log" "$W/trace-bare.log")
fi

# The best round of a side: the highest rate, the smallest net time of a random read.
best() { # FIGURE max|min LOG...
  local figure=$1 pick=$2; shift 2
  cat "$@" | sed -n "s/.*tessera-bench: round=[0-9]* $figure=\([0-9.]*\) .*/\1/p" |
    sort -g | { [ "$pick" = max ] && tail -n1 || head -n1; }
}
# A phase's requests and guest-side interrupts per MiB (or per read), over every round of a side.
per_mib() { # FIGURE MIB_OR_READS_PER_ROUND LOG...
  local figure=$1 per_round=$2; shift 2
  cat "$@" | sed -n "s/.*tessera-bench: round=[0-9]* $figure=.* requests=\([0-9]*\) interrupts=\([0-9]*\)$/\1 \2/p" |
    awk -v m="$per_round" '{ q += $1; i += $2; n++ } END { printf "%.1f requests, %.1f interrupts", q / (n * m), i / (n * m) }'
}
ratio() { awk -v t="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", t / b; else print "null" }'; }
for side in t b; do
  [ $side = t ] && logs=("${logs_t[@]}") || logs=("${logs_b[@]}")
  declare "${side}_write=$(best seq_write_mib_s max "${logs[@]}")"
  declare "${side}_read=$(best seq_read_mib_s max "${logs[@]}")"
  declare "${side}_iops=$(best rand_read_iops max "${logs[@]}")"
  declare "${side}_net=$(best rand_read_net_us min "${logs[@]}")"
  declare "${side}_write_per_mib=$(per_mib seq_write_mib_s "$mib" "${logs[@]}")"
  declare "${side}_read_per_mib=$(per_mib seq_read_mib_s "$mib" "${logs[@]}")"
  declare "${side}_rand_per_read=$(per_mib rand_read_iops "$ios" "${logs[@]}")"
done
: "${t_net:=null}" "${b_net:=null}"

# Tessera's counts per MiB of the sequential phases: the counting boot's less the idle boot's, over
# the 512 MiB it wrote and read (its 10 random reads add 40 KiB). Per random read: a timed boot's
# counts less the idle boot's and its rounds' sequential share, over its random reads; the lowest
# of the timed boots (exits for the host's timer come with time, and time grows with the load).
seq_moved=$(awk -v m="$mib" 'BEGIN { print 2 * m + 10 * 4 / 1024 }')
count() { # COUNTER REASON_OR_WHAT LOG
  if [ "$1" = exits ]; then exit_count "$3" "$2"; else device_count "$3" "$2"; fi
}
per_mib_seq() { # COUNTER REASON_OR_WHAT
  awk -v c="$(count "$1" "$2" "$W/tessera-count.log")" -v i="$(count "$1" "$2" "$W/tessera-idle.log")" \
    -v m="$seq_moved" 'BEGIN { printf "%.1f", (c - i) / m }'
}
per_rand_read() { # COUNTER REASON_OR_WHAT
  local c i
  c=$(count "$1" "$2" "$W/tessera-count.log") i=$(count "$1" "$2" "$W/tessera-idle.log")
  for log in "${logs_t[@]}"; do count "$1" "$2" "$log"; done |
    awk -v c="$c" -v i="$i" -v r="$rounds" -v n="$ios" '{
      v = ($1 - i - r * (c - i)) / (r * n); if (NR == 1 || v < best) best = v } END { printf "%.1f", best }'
}
exits_per_mib=$(per_mib_seq exits "") mmio_per_mib=$(per_mib_seq exits mmio) irq_exits_per_mib=$(per_mib_seq exits irq)
requests_per_mib=$(per_mib_seq device requests) notifies_per_mib=$(per_mib_seq device notifies)
interrupts_per_mib=$(per_mib_seq device interrupts)
exits_per_read=$(per_rand_read exits "") mmio_per_read=$(per_rand_read exits mmio)
irq_exits_per_read=$(per_rand_read exits irq) interrupts_per_read=$(per_rand_read device interrupts)

# Where a MiB of the counting boot's sequential phases went: the time its device's backend took
# for it (the host disk's requests, waited for: the device's report at the VM's stop, less the idle
# boot's; the reads' include the boot's 10 random 4 KiB ones), and the rest of the phase's own
# time (the guest's, its exits' and the hypervisor's forwarding): per MiB read, then written.
backend() { # LOG read|wrote -> KiB us
  sed -n "s/.*VM\[1\] linux: vda@disk1: .*$2 \([0-9]*\) KiB in \([0-9]*\) us.*(the backend's part)\$/\1 \2/p" "$1"
}
phase_ms() { sed -n "s/.*tessera-bench: round=1 $2=[0-9.]* ms=\([0-9]*\) .*/\1/p" "$1"; } # LOG FIGURE
split() { # read|wrote FIGURE -> "backend_us guest_us" per MiB
  local c i
  c=$(backend "$W/tessera-count.log" "$1") i=$(backend "$W/tessera-idle.log" "$1")
  awk -v c="$c" -v i="$i" -v ms="$(phase_ms "$W/tessera-count.log" "$2")" -v m="$mib" 'BEGIN {
    split(c, a, " "); split(i, b, " ")
    if (c == "" || i == "" || ms == "") { print "null null"; exit }
    us = (a[2] - b[2]) / m; printf "%.0f %.0f", us, ms * 1000 / m - us }'
}
read -r read_backend_us read_guest_us <<< "$(split read seq_read_mib_s)"
read -r write_backend_us write_guest_us <<< "$(split wrote seq_write_mib_s)"

rounds_all=$((runs * rounds))
target() { awk -v r="$1" 'BEGIN { print (r >= 0.8) ? "meets the 0.8 target" : "below the 0.8 target" }'; }
w_ratio=$(ratio "$t_write" "$b_write") r_ratio=$(ratio "$t_read" "$b_read") i_ratio=$(ratio "$t_iops" "$b_iops")
machine=""
[ "${PLATFORM:-}" != aia ] || machine=" (Tessera on the AIA machine, its VM with a vAPLIC and IMSIC guest files; bare QEMU on the PLIC machine)"
echo "$arch virtio-blk$machine, O_DIRECT dd in a Linux guest, $mib MiB sequential in 1 MiB blocks, $ios random 4 KiB reads;"
echo "  best of $rounds_all rounds ($runs boots x $rounds) a side; the boots took ${elapsed} s, the whole bench $(($(date +%s) - started)) s:"
printf '  %-26s %12s %12s %7s\n' "" Tessera "bare QEMU" ratio
printf '  %-26s %12s %12s %7s  %s\n' "sequential write, MiB/s" "$t_write" "$b_write" "$w_ratio" "$(target "$w_ratio")"
printf '  %-26s %12s %12s %7s  %s\n' "sequential read, MiB/s" "$t_read" "$b_read" "$r_ratio" "$(target "$r_ratio")"
printf '  %-26s %12s %12s %7s  %s\n' "random 4 KiB read, IOPS" "$t_iops" "$b_iops" "$i_ratio" "(the whole loop of dd's)"
printf '  %-26s %12s %12s\n' "  a read net of dd, us" "$t_net" "$b_net"
echo "  Tessera per MiB written or read in 1 MiB blocks: $exits_per_mib exits ($mmio_per_mib MMIO," \
  "$irq_exits_per_mib host interrupts); its device: $requests_per_mib requests, $notifies_per_mib notifies," \
  "$interrupts_per_mib interrupts"
echo "  Tessera per MiB in 1 MiB blocks, the counting boot's time split: read $read_backend_us us in its device's" \
  "backend (the host disk's requests) + $read_guest_us us elsewhere (the guest, its exits, the forwarding);" \
  "written $write_backend_us + $write_guest_us us"
echo "  Tessera per random 4 KiB read: $exits_per_read exits ($mmio_per_read MMIO, $irq_exits_per_read host" \
  "interrupts); its device: $interrupts_per_read interrupts"
echo "  as the guest sees it (requests completed, virtio interrupts taken), Tessera | bare QEMU:"
echo "    sequential write, per MiB: $t_write_per_mib | $b_write_per_mib"
echo "    sequential read, per MiB:  $t_read_per_mib | $b_read_per_mib"
echo "    random read, per read:     $t_rand_per_read | $b_rand_per_read"
[ -z "${trace_split:-}" ] || { echo "  QEMU's trace of its device (TRACE=1):"; echo "$trace_split" | sed 's/^/    /'; }

key=virtio_blk${PLATFORM:+_$PLATFORM}
bench/json_put.py "$json" \
  $key.seq_write_mib_s="$t_write" $key.seq_read_mib_s="$t_read" \
  $key.rand_read_iops="$t_iops" $key.rand_read_net_us="$t_net" \
  $key.bare.seq_write_mib_s="$b_write" $key.bare.seq_read_mib_s="$b_read" \
  $key.bare.rand_read_iops="$b_iops" $key.bare.rand_read_net_us="$b_net" \
  $key.seq_write_ratio="$w_ratio" $key.seq_read_ratio="$r_ratio" $key.rand_read_ratio="$i_ratio" \
  $key.exits_per_mib="$exits_per_mib" $key.interrupts_per_mib="$interrupts_per_mib" \
  $key.requests_per_mib="$requests_per_mib" $key.exits_per_rand_read="$exits_per_read" \
  $key.read_backend_us_per_mib="$read_backend_us" $key.read_elsewhere_us_per_mib="$read_guest_us" \
  $key.write_backend_us_per_mib="$write_backend_us" $key.write_elsewhere_us_per_mib="$write_guest_us"
echo "  figures in $json ($key.*)"
