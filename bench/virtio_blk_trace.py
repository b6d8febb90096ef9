#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Where a MiB of the virtio-blk bench's sequential phases spends its time, from QEMU's own trace
of its virtio-blk device (bench/virtio_blk.sh with TRACE=1: `-msg timestamp=on -trace
virtio_blk_handle_read/_write/_req_complete`, QEMU's log backend, host microseconds).

The data disk's device is QEMU's on both sides: the guest's own on bare QEMU, the host disk that
Tessera's driver forwards the guest's requests to under Tessera. A 1 MiB block is the requests from
one whose first sector is a multiple of 2048 (and of at least 128 sectors: not a random 4 KiB read)
to the next such; per block:
  in the device   from its first request's arrival to its last one's completion (QEMU's I/O);
  outside it      from that completion to the next block's first arrival: the guest's completion
                  and next request, and under Tessera its exits and the hypervisor's work
                  (taking the chain, forwarding it), on both sides QEMU's thread wake-ups.
Medians over the blocks of every round (the first block after a pause is left out).
    bench/virtio_blk_trace.py TRACE_LOG...      prints one line per log and direction
"""
import re
import statistics
import sys

LINE = re.compile(r"\d+@(\d+)\.(\d+):virtio_blk_(handle_read|handle_write|req_complete) vdev (\S+) req \S+(.*)")
FIELDS = re.compile(r"sector (\d+) nsectors (\d+)")
SEQUENTIAL_MIN = 128  # sectors: a sequential phase's request (a host request may be half a block)
PAUSE_US = 5000  # a gap this long is between phases or rounds, not between two blocks


def blocks(path, handle):
    """[(in_device_us, outside_us)] for the 1 MiB blocks of one direction."""
    events = []
    for line in open(path, errors="replace"):
        m = LINE.match(line)
        if m:
            events.append((int(m.group(1)) * 1_000_000 + int(m.group(2)), m.group(3), m.group(4), m.group(5)))
    data_dev = next((dev for _, kind, dev, rest in events
                     if kind == handle and (f := FIELDS.search(rest)) and int(f.group(2)) >= SEQUENTIAL_MIN), None)
    starts, completions = [], []  # block start times; each block's last completion
    for t, kind, dev, rest in events:
        if dev != data_dev:
            continue
        if kind == handle:
            f = FIELDS.search(rest)
            if f and int(f.group(1)) % 2048 == 0 and int(f.group(2)) >= SEQUENTIAL_MIN:
                starts.append(t)
                completions.append(None)
        elif kind == "req_complete" and completions:
            completions[-1] = t
    out = []
    for i in range(len(starts) - 1):
        done, next_start = completions[i], starts[i + 1]
        if done is not None and 0 < next_start - done < PAUSE_US:
            out.append((done - starts[i], next_start - done))
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for path in sys.argv[1:]:
        for handle, name in (("handle_write", "write"), ("handle_read", "read")):
            b = blocks(path, handle)
            if not b:
                print(f"{path}: sequential {name}: no 1 MiB blocks traced")
                continue
            inside = statistics.median(x for x, _ in b)
            outside = statistics.median(y for _, y in b)
            print(f"{path}: sequential {name}, per 1 MiB block (median of {len(b)}): {inside:.0f} us in QEMU's "
                  f"device, {outside:.0f} us outside it, {inside + outside:.0f} us in all")


if __name__ == "__main__":
    main()
