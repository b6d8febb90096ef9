#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# VM-to-VM networking (issue 15), printed, gating nothing: two Linux guests, one sends the other MIB
# MiB (default 64) over TCP with busybox nc and pings it PINGS times (tessera.nc.send= and
# tessera.ping= in tests/guests/linux/init.sh), throughput and round trip by the guests' own clocks
#  - under Tessera: two VMs of scripts/prepare-linux-guest.sh, one vCPU each on CPUs 0 and 1, their
#    virtio-net devices (emu_type 0xE2) ports of the hypervisor's switch, segment "lan";
#  - on bare QEMU: the same kernel, initramfs and command lines in two QEMU processes, one vCPU each,
#    QEMU's own modern virtio-net joined by a socket netdev on the host's loopback (no other
#    network);
# side by side with the ratio, and what Tessera's two VMs cost per MiB moved: exits (both VMs,
# counted at their stop, from a boot moving MIB MiB less one moving 1 MiB) and their NICs'
# interrupts. The figures are merged into build/bench-ARCH/bench.json under virtio_net.*
# (bench/json_put.py).
#   bench/virtio_net.sh ARCH            (called by bench/ARCH/run.sh)
set -euo pipefail
# The hypervisor powers off when its last VM stops (no shell): qemu-run.sh's CMDLINE.
export CMDLINE=tessera.shell=off
cd "$(dirname "$0")/.."
arch=${1:?usage: bench/virtio_net.sh ARCH}
image=tessera.bin
case "$arch" in
  aarch64) window="0x0a00_0000, 0x200, 0x30" bare_nic=virtio-net-device ;;
  riscv64) window="0x1000_1000, 0x200, 1" bare_nic=virtio-net-device ;;
  x86_64) window="0xfebf_0000, 0x4000, 11" bare_nic=virtio-net-pci,disable-legacy=on image=tessera.elf32 ;;
  *) echo "bench/virtio_net.sh: unknown arch '$arch' (aarch64 riscv64 x86_64)" >&2; exit 2 ;;
esac
mib=${MIB:-64} pings=${PINGS:-20}
started=$(date +%s)
B=build/bench-$arch
W=$B-virtio-net
json=$B/bench.json
mkdir -p "$W"
dir=$(scripts/prepare-linux-guest.sh "$arch" 2>/dev/null | tail -n1)
receiver="tessera.net=169.254.0.1/16 tessera.nc.listen=5000"
sender() { echo "tessera.net=169.254.0.2/16 tessera.ping=169.254.0.1 tessera.ping.count=$pings tessera.nc.send=169.254.0.1:5000:$1"; }

# VM N's config: linux-1cpu.toml with its id, name, CPU, NIC and words, beside it.
derive() { # NAME ID CPU WORDS
  sed -e "s|^id = 1$|id = $2|" -e "s|^name = \"linux\"|name = \"linux$2\"|" \
    -e "s|^phys_cpu_ids = .*|phys_cpu_ids = [$3]|" -e "s|^\(cmdline = \"[^\"]*\)\"|\1 $4\"|" \
    -e "s|^emu_devices = \[\$|&\n    [\"eth0@lan\", $window, 0xE2, []],|" "$dir/linux-1cpu.toml" > "$dir/$1.toml.new"
  cmp -s "$dir/$1.toml.new" "$dir/$1.toml" 2>/dev/null && rm "$dir/$1.toml.new" || mv "$dir/$1.toml.new" "$dir/$1.toml"
}
derive linux-netbench1 1 0x0 "$receiver"
derive linux-netbench2 2 0x1 "$(sender "$mib")"
derive linux-netbench2-1mib 2 0x1 "$(sender 1)"
build() { # NAME CONFIG CONFIG
  make -s ARCH="$arch" BUILD="$W/build-$1" VM_CONFIGS="$2:$3" >/dev/null
  cp "$W/build-$1/$image" "$W/$1.bin"
}
build timed "$dir/linux-netbench1.toml" "$dir/linux-netbench2.toml"
build small "$dir/linux-netbench1.toml" "$dir/linux-netbench2-1mib.toml"

tessera() { # IMAGE LOG
  ARCH=$arch SMP=2 MEM=1G timeout -s KILL 600 scripts/qemu-run.sh "$1" 2>&1 | tr -d '\r' > "$2" || true
}
bare() { # LOG: the receiver in the background, the sender in front, on a free loopback port
  local port=$((20000 + RANDOM % 20000))
  QEMU_ARGS="-netdev socket,id=n0,listen=127.0.0.1:$port -device $bare_nic,netdev=n0,mac=02:74:73:00:01:00" \
    timeout -s KILL 600 scripts/bare-qemu-linux.sh "$arch" - "$receiver" 2>&1 | tr -d '\r' > "$1.receiver" &
  local receiving=$!
  sleep 2
  QEMU_ARGS="-netdev socket,id=n0,connect=127.0.0.1:$port -device $bare_nic,netdev=n0,mac=02:74:73:00:02:00" \
    timeout -s KILL 600 scripts/bare-qemu-linux.sh "$arch" - "$(sender "$mib")" 2>&1 | tr -d '\r' > "$1" || true
  wait "$receiving" || true
}
check() { # LOG (the sender's)
  grep -q "tessera-linux: sent $((mib * 1048576)) bytes" "$1" && grep -q "of $pings answered" "$1" || {
    tail -n 40 "$1"; echo "bench/virtio_net.sh: the sender did not finish ($1)" >&2; exit 1; }
}
t0=$(date +%s)
tessera "$W/timed.bin" "$W/tessera.log"; check "$W/tessera.log"
tessera "$W/small.bin" "$W/tessera-1mib.log"
bare "$W/bare.log"; check "$W/bare.log"
elapsed=$(($(date +%s) - t0))

rate() { # LOG: MiB/s by the sender's clock
  sed -n "s/.*tessera-linux: sent [0-9]* bytes to .*, \([0-9]*\) ms$/\1/p" "$1" |
    awk -v m="$mib" '{ printf "%.2f", m * 1000 / $1 }'
}
rtt() { # LOG: the average round trip, ms
  sed -n 's|.*round trip min/avg/max [0-9.]*/\([0-9.]*\)/[0-9.]* ms.*|\1|p' "$1" | head -n1
}
exits() { # LOG: both VMs'
  sed -n 's/.*VM\[[12]\] linux[12]: stopped (\([0-9]*\) exits.*/\1/p' "$1" | awk '{ n += $1 } END { print n + 0 }'
}
interrupts() { # LOG: both NICs'
  sed -n 's/.*eth0@lan: virtio: [0-9]* requests, [0-9]* notifies, \([0-9]*\) interrupts/\1/p' "$1" |
    awk '{ n += $1 } END { print n + 0 }'
}
per_mib() { awk -v a="$1" -v b="$2" -v m="$mib" 'BEGIN { printf "%.1f", (a - b) / (m - 1) }'; }
t_rate=$(rate "$W/tessera.log") b_rate=$(rate "$W/bare.log")
t_rtt=$(rtt "$W/tessera.log") b_rtt=$(rtt "$W/bare.log")
ratio=$(awk -v t="$t_rate" -v b="$b_rate" 'BEGIN { if (b > 0) printf "%.3f", t / b; else print "null" }')
exits_per_mib=$(per_mib "$(exits "$W/tessera.log")" "$(exits "$W/tessera-1mib.log")")
interrupts_per_mib=$(per_mib "$(interrupts "$W/tessera.log")" "$(interrupts "$W/tessera-1mib.log")")
echo "$arch virtio-net, VM to VM: busybox nc over TCP, $mib MiB, and $pings pings; the boots took ${elapsed} s, the whole bench $(($(date +%s) - started)) s:"
printf '  %-28s %10s %10s %7s\n' "" Tessera "bare QEMU" ratio
printf '  %-28s %10s %10s %7s\n' "TCP throughput, MiB/s" "$t_rate" "$b_rate" "$ratio"
printf '  %-28s %10s %10s\n' "ping round trip (avg), ms" "${t_rtt:-none}" "${b_rtt:-none}"
echo "  Tessera per MiB moved (both VMs): $exits_per_mib exits; their NICs: $interrupts_per_mib interrupts"
echo "  (bare QEMU: two QEMU processes joined by a socket netdev on the host's loopback)"
bench/json_put.py "$json" \
  virtio_net.tcp_mib_s="$t_rate" virtio_net.bare.tcp_mib_s="$b_rate" virtio_net.tcp_ratio="$ratio" \
  virtio_net.ping_rtt_ms="${t_rtt:-null}" virtio_net.bare.ping_rtt_ms="${b_rtt:-null}" \
  virtio_net.exits_per_mib="$exits_per_mib" virtio_net.interrupts_per_mib="$interrupts_per_mib"
echo "  figures in $json (virtio_net.*)"
