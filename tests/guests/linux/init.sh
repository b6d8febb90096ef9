#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# /init of the Linux test guests: a busybox shell runs a few commands and powers the VM off, or,
# asked to, loads the virtio modules and switches to an ext4 root on a virtio disk.
#
# Parameters it reads from the kernel command line. Linux hands a parameter with a dot in its name
# to no one (init/main.c takes it for an unused module parameter), so they stay in /proc/cmdline
# only (Linux Documentation/admin-guide/kernel-parameters.rst):
#   tessera.shell         an interactive shell on the console before powering off
#   tessera.virtio        load the modules in /lib/modules/load-order and list the virtio devices,
#                         then carry on as without it (for virtio console and net tests)
#   tessera.root=DEV      what Debian's own initramfs does with root=: load the modules, wait for
#                         the block device DEV (/dev/vda, /dev/vda1), mount it as ext4 and
#                         switch_root to its /sbin/init (tests/guests/linux/root-init.sh, on the
#                         image scripts/make-linux-root.sh builds; it reads the parameters
#                         tessera.write=, tessera.mount= and tessera.shell)
#   tessera.rootwait=N    give up on DEV after N seconds (default 20)
#   tessera.button        load the modules and start busybox's acpid, which powers the VM off when
#                         its power button is pressed (`vm stop` in Tessera's shell: ACPI's fixed
#                         button on x86_64, a virtio-input one on the others; Linux reports either
#                         as KEY_POWER on an evdev device, which acpid reads)
#   tessera.ddbench=DEV   load the modules, then time O_DIRECT I/O on the block device DEV with
#                         busybox dd (bench/virtio_blk.sh): a sequential write and read of MiB
#                         MiB in 1 MiB blocks, and IOS 4 KiB reads at pseudo-random block offsets
#                         in that range, one dd each, in 10 chunks; DESTROYS what DEV holds. Then
#                         carries on as without it. Tuned by tessera.ddbench.mib=MiB (default
#                         256), tessera.ddbench.ios=IOS (default 500), tessera.ddbench.rounds=N
#                         (default 2; 0 runs nothing, for a baseline of the boot alone)
#   tessera.net=ADDR/LEN  load the modules, bring eth0 (a virtio-net device) up with the address
#                         ADDR/LEN (link-local: 169.254.0.1/16), then:
#   tessera.ping=A[,B..]  ping each address until it answers (up to tessera.ping.wait seconds,
#                         default 60), then tessera.ping.count more times (default 3)
#   tessera.nc.listen=PORT  receive one TCP connection with busybox nc and say how many bytes came
#                         and their md5
#   tessera.nc.send=ADDR:PORT:MIB  send MIB MiB (a random MiB, MIB times) to ADDR:PORT with nc,
#                         trying again while nothing listens there (up to 60 s); say their md5
#   tessera.flood=IFACE:SECONDS  bring IFACE up (no address) and flood it with broadcast frames for
#                         SECONDS (/bin/flood, tests/guests/linux/flood/), beside the above; power
#                         off only once it is done
#   console=hvcN          (the kernel's own parameter, when it is the last console=) the console is
#                         a virtio console's port, which appears only once the modules are loaded:
#                         load them as with tessera.virtio, wait up to 20 s for /dev/hvcN and go on
#                         there (the interactive shell too), then power off. Without a console at
#                         start (console=hvcN alone: the kernel had none to give init), what init
#                         printed until then is kept and shown on hvcN first.
# Without any of them the run is the initramfs-only one the e2e tests assert on, line for line.
#
# Lines printed with tessera.ddbench=DEV (after the module lines below), times by the guest's own
# monotonic clock (as /proc/timer_list shows it, in ms), interrupts those of the lines naming
# virtio in /proc/interrupts, requests the completed ones in /sys/block/NAME/stat:
#   tessera-bench: device DEV: S sectors; M MiB sequential, I random 4 KiB reads, R rounds
#   tessera-bench: round=K seq_write_mib_s=F ms=T requests=Q interrupts=N
#   tessera-bench: round=K seq_read_mib_s=F ms=T requests=Q interrupts=N
#   tessera-bench: round=K rand_read_iops=F ms=T requests=Q interrupts=N
#   tessera-bench: round=K rand_read_net_us=U read_chunk_ms=A empty_chunk_ms=B chunk=C
# Starting a dd costs far more than its 4 KiB read, so each chunk of C reads is followed by the
# same loop with count=0 (open, seek, no read); A and B are the fastest chunk of each (other work on
# the machine only ever slows a chunk) and U = (A - B) / C in microseconds is what one read adds
# (none when A <= B: the disk's share drowned in the noise). rand_read_iops counts the whole loop.
#   tessera-bench: done
# or tessera-bench: failed: WHY, and the rounds stop.
#
# Lines printed with tessera.net, after those of tessera.virtio:
#   tessera-linux: eth0 MAC up, ADDR/LEN, mtu M      (or: tessera-linux: eth0 failed: WHY)
#   tessera-linux: ping A: first answer after T s, N of C answered, round trip min/avg/max X/Y/Z ms
#                                                    (or: no answer in W s)
#   tessera-linux: received B bytes, md5 SUM         (tessera.nc.listen; or: receive failed: WHY)
#   tessera-linux: sending MIB MiB to ADDR:PORT      (tessera.nc.send, before the first try)
#   tessera-linux: sent B bytes to ADDR:PORT, md5 SUM, MS ms   (tessera.nc.send; or: send failed: WHY)
#   tessera-linux: flooding IFACE for SECONDS s      (tessera.flood), then once it is done
#   tessera-flood: sent N broadcast frames of 1514 bytes in SECONDS s
#
# Lines printed with console=hvcN, after those of tessera.virtio:
#   tessera-linux: console on /dev/hvcN after T s    (on hvcN; T as for tessera.root)
#   tessera-linux: interactive shell on /dev/hvcN; 'poweroff -f' powers the VM off   (tessera.shell)
# or, when it does not appear (on the console init started with, if any):
#   tessera-linux: no /dev/hvcN after 20 s
#
# Lines printed with tessera.button, after those of tessera.virtio:
#   tessera-linux: acpid listens for the power button on event0 event1 ...
#                                                    (or: tessera-linux: acpid failed: WHY)
#   tessera-linux: power button pressed: powering off    (when it is pressed)
#
# Lines printed with tessera.hold=SECONDS (a VM that stays up beside others), last before the
# shell or the power-off:
#   tessera-linux: holding for SECONDS s
#   tessera-linux: held SECONDS s, uptime U s        (U from /proc/uptime: it kept running)
#
# Lines printed with tessera.virtio or tessera.root, in this order:
#   tessera-linux: modules loaded: NAME NAME...      (all of load-order, in that order)
#   tessera-linux: module NAME did not load          (one each, instead of the line above)
#   tessera-linux: virtio device virtioN: ID (TYPE), driver DRIVER
#                                 (one per device; ID as the kernel prints it, DRIVER the one
#                                  bound to it or none: 0x0002 (block), driver virtio_blk), or
#   tessera-linux: no virtio devices
#   tessera-linux: virtio interrupt NAME through CHIP
#                                 (one per line of /proc/interrupts naming virtio, as it calls it:
#                                  virtio0 through IO-APIC, virtio0-req.0 through PCI-MSI, ...)
# then with tessera.root=DEV:
#   tessera-linux: DEV is there after T s            (T in tenths of a second, e.g. 0.0)
#   tessera-linux: mounted DEV (ext4); switching root to its /sbin/init
# or, on a failure, one of these and the run goes on as without tessera.root (shell or power-off):
#   tessera-linux: root failed: no DEV after N s
#   tessera-linux: root failed: DEV does not mount as ext4
#   tessera-linux: root failed: DEV has no /sbin/init
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
root= rootwait=20 virtio= button=
last_console= hvc=
hold= ddbench= ddbench_mib=256 ddbench_ios=500 ddbench_rounds=2
net= ping= ping_wait=60 ping_count=3 nc_listen= nc_send= flood= flood_pid=
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        tessera.root=*) root=${arg#tessera.root=} ;;
        tessera.rootwait=*) rootwait=${arg#tessera.rootwait=} ;;
        tessera.virtio) virtio=1 ;;
        tessera.button) button=1 ;;
        tessera.hold=*) hold=${arg#tessera.hold=} ;;
        console=*) last_console=${arg#console=} ;;
        tessera.ddbench=*) ddbench=${arg#tessera.ddbench=} ;;
        tessera.ddbench.mib=*) ddbench_mib=${arg#tessera.ddbench.mib=} ;;
        tessera.ddbench.ios=*) ddbench_ios=${arg#tessera.ddbench.ios=} ;;
        tessera.ddbench.rounds=*) ddbench_rounds=${arg#tessera.ddbench.rounds=} ;;
        tessera.net=*) net=${arg#tessera.net=} ;;
        tessera.ping=*) ping=${arg#tessera.ping=} ;;
        tessera.ping.wait=*) ping_wait=${arg#tessera.ping.wait=} ;;
        tessera.ping.count=*) ping_count=${arg#tessera.ping.count=} ;;
        tessera.nc.listen=*) nc_listen=${arg#tessera.nc.listen=} ;;
        tessera.nc.send=*) nc_send=${arg#tessera.nc.send=} ;;
        tessera.flood=*) flood=${arg#tessera.flood=} ;;
    esac
done
case "$last_console" in
    hvc*) hvc=/dev/$last_console ;;
esac
# No console for init (fd 1 closed: the kernel found none of the console= it was given, which it
# says with "unable to open an initial console"): keep what init prints until hvc is there.
if [ -n "$hvc" ] && [ ! -e /proc/self/fd/1 ]; then
    exec </dev/null >/tmp/init-output 2>&1
fi
echo "tessera-linux: init started on $(uname -m), kernel $(uname -r)"
sh -c 'echo "tessera-linux: the shell ran: $(( 6 * 7 ))"'
echo "tessera-linux: $(grep -c ^processor /proc/cpuinfo) CPUs in /proc/cpuinfo"
echo "tessera-linux: $(awk '/MemTotal/ {print $2}' /proc/meminfo) kB of memory"
# The kernel's random-number generator ready before init runs: seeded from the rng-seed of the
# device tree Tessera generates (aarch64, riscv64) or from the CPU's RDRAND (x86_64). Unseeded, it
# is still collecting entropy here, and slows every kmem_cache the kernel creates until then.
if dmesg | grep -q 'random: crng init done'; then
    echo "tessera-linux: random numbers ready before init"
fi
# The console's driver and the interrupts its UART took: output through it needs the emulated UART
# and interrupt controller, not only an early console. By the UART's name in /proc/interrupts:
# PL011, 8250 (ttyS0) or Cadence (xuartps, a ZynqMP board's UART passed through).
console=$(awk 'NR == 1 {print $1}' /proc/consoles)
irqs=$(awk -v c="$console" '$NF == c || /uart-pl011|ttyS0|xuartps/ {for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i} END {print n + 0}' /proc/interrupts)
echo "tessera-linux: console $console, $irqs UART interrupts"
# Which interrupt controller the UART's line goes through (the chip column of /proc/interrupts:
# the first field after the per-CPU counts), and the inter-processor interrupts taken.
chip=$(awk '/uart-pl011|ttyS0|xuartps/ {for (i = 2; i <= NF; i++) if ($i !~ /^[0-9]+$/) {print $i; exit}}' /proc/interrupts)
ipis=$(awk '$1 ~ /^IPI/ {for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i} END {print n + 0}' /proc/interrupts)
echo "tessera-linux: UART interrupts through ${chip:-none}, $ipis IPIs"

# The modules mkinitramfs.py put in, dependencies first: busybox's insmod follows none. Loading a
# transport driver (virtio_mmio, virtio_pci) probes its devices there and then, and each device's
# driver, once loaded, binds to it (Linux Documentation/driver-api/virtio/virtio.rst).
load_modules() {
    loaded= failed=
    while read -r m; do
        if insmod "/lib/modules/$m.ko"; then
            loaded="$loaded $m"
        else
            echo "tessera-linux: module $m did not load"
            failed=1
        fi
    done < /lib/modules/load-order
    [ -n "$failed" ] || echo "tessera-linux: modules loaded:$loaded"
    found=
    for d in /sys/bus/virtio/devices/virtio*; do
        [ -e "$d/device" ] || continue
        id=$(cat "$d/device")
        # Device IDs: the virtio specification 1.2, section 5 "Device Types".
        case "$id" in
            0x0001) type=net ;;
            0x0002) type=block ;;
            0x0003) type=console ;;
            0x0004) type=entropy ;;
            0x0012) type=input ;;
            *) type=other ;;
        esac
        driver=none
        [ -e "$d/driver" ] && driver=$(basename "$(readlink "$d/driver")")
        echo "tessera-linux: virtio device ${d##*/}: $id ($type), driver $driver"
        found=1
    done
    [ -n "$found" ] || echo "tessera-linux: no virtio devices"
    # The chip column: the first field after the per-CPU counts.
    awk '/virtio/ {for (i = 2; i <= NF; i++) if ($i !~ /^[0-9]+$/) {print "tessera-linux: virtio interrupt " $NF " through " $i; next}}' /proc/interrupts
}

# Mounts $root and, if that works, becomes its /sbin/init; returns on a failure, having said why.
switch_to_root() {
    # The disk's driver may publish it after insmod returns: poll, boundedly, in tenths of a second.
    tenths=0
    while [ ! -b "$root" ] && [ "$tenths" -lt $((rootwait * 10)) ]; do
        usleep 100000
        tenths=$((tenths + 1))
    done
    if [ ! -b "$root" ]; then
        echo "tessera-linux: root failed: no $root after $rootwait s"
        cat /proc/partitions
        return
    fi
    echo "tessera-linux: $root is there after $((tenths / 10)).$((tenths % 10)) s"
    mkdir -p /newroot
    if ! mount -t ext4 -o rw "$root" /newroot; then
        echo "tessera-linux: root failed: $root does not mount as ext4"
        dmesg | tail -n 5
        return
    fi
    if [ ! -x /newroot/sbin/init ]; then
        echo "tessera-linux: root failed: $root has no /sbin/init"
        umount /newroot
        return
    fi
    echo "tessera-linux: mounted $root (ext4); switching root to its /sbin/init"
    # As Debian's initramfs-tools does before run-init: the kernel's filesystems move to the new
    # root, since switch_root empties the initramfs (Linux Documentation/filesystems/
    # ramfs-rootfs-initramfs.rst) and the root's init needs them.
    for fs in /dev /proc /sys; do
        mkdir -p "/newroot$fs"
        mount -o move "$fs" "/newroot$fs"
    done
    exec switch_root /newroot /sbin/init
}

# tessera.ddbench: the guest's side of bench/virtio_blk.sh (see the lines it prints above).
bench_now() { # ms of the guest's monotonic clock: ns in /proc/timer_list, else /proc/uptime's 10 ms
    if [ -r /proc/timer_list ]; then
        awk '/^now at/ {print int($3 / 1000000); exit}' /proc/timer_list
    else
        awk '{print int($1 * 1000)}' /proc/uptime
    fi
}
bench_interrupts() {
    awk '/virtio/ {for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i} END {print n + 0}' /proc/interrupts
}
bench_requests() { # completed reads + writes (Linux Documentation/block/stat.rst)
    awk '{print $1 + $5}' "/sys/block/${ddbench##*/}/stat"
}
# Runs "$@" timed; sets ms, requests and interrupts to what it took.
bench_phase() {
    q0=$(bench_requests) i0=$(bench_interrupts) t0=$(bench_now)
    "$@" || return 1
    t1=$(bench_now) q1=$(bench_requests) i1=$(bench_interrupts)
    ms=$((t1 - t0)) requests=$((q1 - q0)) interrupts=$((i1 - i0))
    [ "$ms" -gt 0 ] || ms=1
}
bench_rate() { # UNITS: UNITS per second over $ms
    awk -v n="$1" -v ms="$ms" 'BEGIN { printf "%.1f", n * 1000 / ms }'
}
bench_seq_write() { dd if=/dev/zero of="$ddbench" bs=1M count="$ddbench_mib" oflag=direct 2>/tmp/dd.err; }
bench_seq_read() { dd if="$ddbench" of=/dev/null bs=1M count="$ddbench_mib" iflag=direct 2>/tmp/dd.err; }
bench_rand_read() { # $1: blocks each dd reads (1, or 0 for the loop's own cost), $2: offsets
    while read -r block; do
        dd if="$ddbench" of=/dev/null bs=4096 count="$1" skip="$block" iflag=direct 2>/tmp/dd.err || return 1
    done < "$2"
}
# The random reads of a round, chunk by chunk; sets ms, requests and interrupts to the reading
# chunks' sum, read_best and empty_best to the fastest chunk of each loop.
bench_rand_chunks() {
    sum_ms=0 sum_requests=0 sum_interrupts=0 read_best= empty_best=
    for offsets in /tmp/offsets.*; do
        bench_phase bench_rand_read 1 "$offsets" || return 1
        sum_ms=$((sum_ms + ms)) sum_requests=$((sum_requests + requests))
        sum_interrupts=$((sum_interrupts + interrupts))
        [ -n "$read_best" ] && [ "$read_best" -le "$ms" ] || read_best=$ms
        bench_phase bench_rand_read 0 "$offsets" || return 1
        [ -n "$empty_best" ] && [ "$empty_best" -le "$ms" ] || empty_best=$ms
    done
    ms=$sum_ms requests=$sum_requests interrupts=$sum_interrupts
}
ddbench_run() {
    tenths=0
    while [ ! -b "$ddbench" ] && [ "$tenths" -lt $((rootwait * 10)) ]; do
        usleep 100000
        tenths=$((tenths + 1))
    done
    [ -b "$ddbench" ] || { echo "tessera-bench: failed: no $ddbench after $rootwait s"; return; }
    sectors=$(cat "/sys/block/${ddbench##*/}/size")
    if [ "$sectors" -lt $((ddbench_mib * 2048)) ]; then
        echo "tessera-bench: failed: $ddbench has $sectors sectors, fewer than $ddbench_mib MiB"
        return
    fi
    # The same offsets on every run and machine: awk's generator with a fixed seed, in 10 files
    # of as many (IOS rounded down to tens, at least 10).
    chunk=$((ddbench_ios / 10))
    [ "$chunk" -ge 1 ] || chunk=1
    ddbench_ios=$((chunk * 10))
    awk -v n="$ddbench_ios" -v c="$chunk" -v blocks=$((ddbench_mib * 256)) 'BEGIN {
        srand(14); for (i = 0; i < n; i++) print int(rand() * blocks) > ("/tmp/offsets." int(i / c)) }'
    echo "tessera-bench: device $ddbench: $sectors sectors; $ddbench_mib MiB sequential," \
        "$ddbench_ios random 4 KiB reads, $ddbench_rounds rounds"
    round=1
    while [ "$round" -le "$ddbench_rounds" ]; do
        # Written first: the reads then read data the host disk holds, not holes of a sparse file.
        bench_phase bench_seq_write || { echo "tessera-bench: failed: write: $(cat /tmp/dd.err)"; return; }
        echo "tessera-bench: round=$round seq_write_mib_s=$(bench_rate "$ddbench_mib") ms=$ms" \
            "requests=$requests interrupts=$interrupts"
        bench_phase bench_seq_read || { echo "tessera-bench: failed: read: $(cat /tmp/dd.err)"; return; }
        echo "tessera-bench: round=$round seq_read_mib_s=$(bench_rate "$ddbench_mib") ms=$ms" \
            "requests=$requests interrupts=$interrupts"
        bench_rand_chunks || { echo "tessera-bench: failed: random read: $(cat /tmp/dd.err)"; return; }
        echo "tessera-bench: round=$round rand_read_iops=$(bench_rate "$ddbench_ios") ms=$ms" \
            "requests=$requests interrupts=$interrupts"
        net=none
        [ "$read_best" -le "$empty_best" ] || net=$(((read_best - empty_best) * 1000 / chunk))
        echo "tessera-bench: round=$round rand_read_net_us=$net read_chunk_ms=$read_best" \
            "empty_chunk_ms=$empty_best chunk=$chunk"
        round=$((round + 1))
    done
    echo "tessera-bench: done"
}

# tessera.net: the guest's side of tests/e2e/test_linux_virtio_net.py (the lines it prints above).
net_up() {
    tenths=0
    while [ ! -e /sys/class/net/eth0 ] && [ "$tenths" -lt 100 ]; do
        usleep 100000
        tenths=$((tenths + 1))
    done
    if ! ip link set eth0 up 2>/tmp/ip.err || ! ip addr add "$net" dev eth0 2>>/tmp/ip.err; then
        echo "tessera-linux: eth0 failed: $(ls /sys/class/net | tr '\n' ' ')$(cat /tmp/ip.err)"
        return 1
    fi
    echo "tessera-linux: eth0 $(cat /sys/class/net/eth0/address) up, $net, mtu $(cat /sys/class/net/eth0/mtu)"
}
net_ping() {
    for a in $(echo "$ping" | tr , ' '); do
        waited=0
        until ping -c 1 -W 1 "$a" >/dev/null 2>&1; do
            waited=$((waited + 1))
            [ "$waited" -lt "$ping_wait" ] || break
        done
        if [ "$waited" -ge "$ping_wait" ]; then
            echo "tessera-linux: ping $a: no answer in $ping_wait s"
            continue
        fi
        # busybox's summary: "N packets transmitted, M packets received, ..." and
        # "round-trip min/avg/max = A/B/C ms".
        ping -c "$ping_count" -W 2 "$a" >/tmp/ping.out 2>&1
        n=$(awk '/packets received/ {print $4}' /tmp/ping.out)
        rtt=$(awk '/round-trip/ {print $4, $5}' /tmp/ping.out)
        echo "tessera-linux: ping $a: first answer after $waited s, ${n:-0} of $ping_count answered," \
            "round trip min/avg/max ${rtt:-none}"
    done
}
net_listen() {
    mkfifo /tmp/rx
    wc -c </tmp/rx >/tmp/rx.count &
    sum=$(timeout 300 nc -l -p "$nc_listen" | tee /tmp/rx | md5sum)
    wait
    echo "tessera-linux: received $(cat /tmp/rx.count) bytes, md5 ${sum%% *}"
}
net_send() {
    addr=${nc_send%%:*} rest=${nc_send#*:}
    port=${rest%%:*} mib=${rest#*:}
    dd if=/dev/urandom of=/tmp/block bs=1M count=1 2>/dev/null
    mkfifo /tmp/tx
    echo "tessera-linux: sending $mib MiB to $addr:$port"
    tries=0
    while :; do
        md5sum </tmp/tx >/tmp/tx.sum &
        t0=$(bench_now)
        # The pipeline's status is nc's: refused or unanswered while the peer is not listening yet.
        if i=0; while [ "$i" -lt "$mib" ]; do cat /tmp/block; i=$((i + 1)); done | tee /tmp/tx |
            nc -w 2 "$addr" "$port"; then
            wait
            break
        fi
        wait
        tries=$((tries + 1))
        if [ "$tries" -ge 60 ]; then
            echo "tessera-linux: send failed: nothing listens at $addr:$port"
            return
        fi
        sleep 1
    done
    t1=$(bench_now)
    echo "tessera-linux: sent $((mib * 1048576)) bytes to $addr:$port, md5 $(cut -d' ' -f1 /tmp/tx.sum)," \
        "$((t1 - t0)) ms"
}

if [ -n "$root" ] || [ -n "$virtio" ] || [ -n "$ddbench" ] || [ -n "$net" ] || [ -n "$button" ]; then
    load_modules
fi
# tessera.button: busybox's acpid maps KEY_POWER to its PWRF event and runs /etc/acpi/PWRF/00000080
# for it (its built-in tables, with no /etc/acpid.conf); it reads the evdev devices there when it
# starts, which the modules just loaded have made.
power_button() {
    mkdir -p /etc/acpi/PWRF
    printf '#!/bin/sh\necho "tessera-linux: power button pressed: powering off" >/dev/console\npoweroff -f\n' \
        >/etc/acpi/PWRF/00000080
    chmod +x /etc/acpi/PWRF/00000080
    if acpid -l /dev/null 2>/tmp/acpid.err; then
        echo "tessera-linux: acpid listens for the power button on $(ls /dev/input | tr '\n' ' ')"
    else
        echo "tessera-linux: acpid failed: $(cat /tmp/acpid.err)"
    fi
}
[ -z "$button" ] || power_button
net_flood() {
    iface=${flood%%:*}
    if ! ip link set "$iface" up; then
        echo "tessera-linux: flood failed: no $iface"
        return
    fi
    echo "tessera-linux: flooding $iface for ${flood#*:} s"
    flood "$iface" "${flood#*:}" &
    flood_pid=$!
}

if [ -n "$net" ] && net_up; then
    [ -z "$flood" ] || net_flood
    [ -z "$ping" ] || net_ping
    [ -z "$nc_listen" ] || net_listen
    [ -z "$nc_send" ] || net_send
    [ -z "$flood_pid" ] || wait "$flood_pid"
fi
if [ -n "$hvc" ] && [ -z "$root$virtio$ddbench$net" ]; then
    load_modules
fi
if [ -n "$ddbench" ]; then
    ddbench_run
fi
if [ -n "$root" ]; then
    switch_to_root
fi
if [ -n "$hold" ]; then
    echo "tessera-linux: holding for $hold s"
    sleep "$hold"
    echo "tessera-linux: held $hold s, uptime $(cut -d' ' -f1 /proc/uptime) s"
fi
if [ -n "$hvc" ]; then
    # The virtio console's tty appears when its driver binds, maybe after insmod returns.
    tenths=0
    while [ ! -c "$hvc" ] && [ "$tenths" -lt 200 ]; do
        usleep 100000
        tenths=$((tenths + 1))
    done
    if [ -c "$hvc" ]; then
        exec <"$hvc" >"$hvc" 2>&1
        if [ -e /tmp/init-output ]; then
            cat /tmp/init-output
            rm /tmp/init-output
        fi
        echo "tessera-linux: console on $hvc after $((tenths / 10)).$((tenths % 10)) s"
        if grep -q tessera.shell /proc/cmdline; then
            echo "tessera-linux: interactive shell on $hvc; 'poweroff -f' powers the VM off"
            # The shell is a session leader opening the tty, so hvc becomes its controlling
            # terminal (job control, Ctrl-C); cttyhack would guess from the kernel's console list.
            setsid sh -c "exec sh <$hvc >$hvc 2>&1"
        fi
        echo "tessera-linux: powering off"
        poweroff -f
    fi
    echo "tessera-linux: no $hvc after 20 s"
fi
if grep -q tessera.shell /proc/cmdline; then
    # An interactive shell on the console: what you type on the hypervisor's console reaches it.
    echo "tessera-linux: interactive shell; 'poweroff -f' powers the VM off"
    setsid cttyhack sh
fi
echo "tessera-linux: powering off"
poweroff -f
