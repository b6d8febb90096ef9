#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Instructions per function from a QEMU execution trace, for finding where an instruction-counted
figure of `make bench` goes (a developer's tool, not run by any target).

Record the trace with QEMU's `-d nochain,exec,in_asm -D trace.log` (nochain, so that every executed
translation block is logged; in_asm, for how many instructions each block holds), then:

    bench/tbprofile.py trace.log --elf build/x/tessera.elf --guest-elf build/x/guests/bench.elf \\
        --per guest_trap --from timer_latency

Every executed block is charged to the function its address lies in (the hypervisor's symbols, or
the guest's where QEMU's flags say the block ran in the guest: x86's HF_GUEST_MASK, aarch64/riscv
by the exception level or V bit are not decoded, so pass --guest-elf only on x86 or when the two
are linked apart). --from starts counting at the first block of that function (by name, either
ELF); --per divides by how many times that function was entered (a block at its start address; name a
guest function guest:NAME), so the figures are per event. A block's instructions are those of its last translation (QEMU
re-translates a block for icount's I/O boundary with the same first instructions: the count is
close, not exact).
"""
import argparse
import bisect
import collections
import re
import subprocess
import sys

TRACE = re.compile(r'^Trace \d+: 0x[0-9a-f]+ \[([0-9a-f]+)/([0-9a-f]+)/([0-9a-f]+)/([0-9a-f]+)\]')
IN = re.compile(r'^IN:')
INSN = re.compile(r'^0x([0-9a-f]+):')
X86_GUEST_FLAG = 1 << 21  # HF_GUEST_MASK (target/i386/cpu.h): SVM intercepts active, i.e. running the guest


def symbols(elf):
    out = subprocess.run(['llvm-nm-14', '-n', '--defined-only', elf], capture_output=True, text=True,
                         check=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'tTwW':
            addrs.append(int(parts[0], 16))
            names.append(parts[2])
    return addrs, names


def lookup(table, pc):
    addrs, names = table
    i = bisect.bisect_right(addrs, pc) - 1
    return (names[i], addrs[i]) if i >= 0 else ('?%x' % pc, pc)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('trace')
    ap.add_argument('--elf', required=True)
    ap.add_argument('--guest-elf')
    ap.add_argument('--from', dest='start')
    ap.add_argument('--per')
    ap.add_argument('--window', nargs=2, metavar=('OPEN', 'CLOSE'),
                    help='count only from a block of function OPEN to the next block of CLOSE (not counted); '
                         'the events are the windows')
    ap.add_argument('--top', type=int, default=40)
    args = ap.parse_args()
    host = symbols(args.elf)
    guest = symbols(args.guest_elf) if args.guest_elf else host
    sizes = {}
    per_function = collections.Counter()
    calls = collections.Counter()
    windows = 0
    counting = args.start is None
    current_block = None
    window_open = False
    with open(args.trace, errors='replace') as f:
        for line in f:
            if IN.match(line):
                current_block = []
                continue
            if current_block is not None:
                m = INSN.match(line)
                if m:
                    current_block.append(int(m.group(1), 16))
                    continue
                if current_block:
                    sizes[current_block[0]] = len(current_block)
                current_block = None
            m = TRACE.match(line)
            if not m:
                continue
            pc = int(m.group(2), 16)
            flags = int(m.group(3), 16)
            in_guest = args.guest_elf and flags & X86_GUEST_FLAG
            name, start = lookup(guest if in_guest else host, pc)
            label = ('guest:' if in_guest else '') + name
            if not counting:
                if name != args.start:
                    continue
                counting = True
            if args.window:
                if window_open and label == args.window[1]:
                    window_open = False
                    windows += 1
                elif not window_open and label == args.window[0]:
                    window_open = True
                if not window_open:
                    continue
            if pc == start:
                calls[label] += 1
            per_function[label] += sizes.get(pc, 1)
    events = windows if args.window else calls[args.per] if args.per else 1
    if not events:
        sys.exit('tbprofile: %s was never entered' % args.per)
    total = sum(per_function.values())
    print('instructions per event, entries per event, function')
    print('%d instructions in all, %d events (%s), %.1f per event' % (total, events, args.per or '-', total / events))
    for label, n in per_function.most_common(args.top):
        print('%10.1f  %5.1f  %s' % (n / events, calls[label] / events, label))


if __name__ == '__main__':
    main()
