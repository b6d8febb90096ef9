#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Regenerates the seed corpora of tests/fuzz/fuzz_virtio_blk.c (a guest with a well-formed queue
holding a read, a write through an indirect table and a flush), tests/fuzz/fuzz_virtio_net.c (two
NICs exchanging a broadcast and two unicast frames) and tests/fuzz/fuzz_partitions.c (an MBR disk
and a GPT disk). Run by hand when an input format changes; the seeds are committed.

    tests/fuzz/make_virtio_corpus.py
"""
import os
import struct

ROOT = os.path.dirname(os.path.abspath(__file__))
RAM = 0x40000000


def desc(addr, length, flags, nxt):
    return struct.pack("<QIHH", addr, length, flags, nxt)


def virtio_blk_seed(num_log2, features):
    ram = bytearray(0x3000)
    desc_off, avail_off, used_off = 0x000, 0x800, 0xa00
    header_off, status_off, data_off, ind_off = 0xc00, 0xc40, 0x1000, 0xe00
    num = 1 << num_log2
    # Chain 0: read sector 2; chain 3: flush; chain 5 (indirect): write sector 1.
    table = [desc(RAM + header_off, 16, 1, 1), desc(RAM + data_off, 512, 3, 2), desc(RAM + status_off, 1, 2, 0),
             desc(RAM + header_off + 16, 16, 1, 4), desc(RAM + status_off + 1, 1, 2, 0),
             desc(RAM + ind_off, 48, 4, 0)]
    for i, d in enumerate(table):
        ram[desc_off + 16 * i:desc_off + 16 * (i + 1)] = d
    ind = desc(RAM + header_off + 32, 16, 1, 1) + desc(RAM + data_off + 512, 512, 1, 2) + \
        desc(RAM + status_off + 2, 1, 2, 0)
    ram[ind_off:ind_off + len(ind)] = ind
    ram[header_off:header_off + 48] = struct.pack("<IIQIIQIIQ", 0, 0, 2, 4, 0, 0, 1, 0, 1)
    heads = [0, 3, 5]
    ram[avail_off:avail_off + 4] = struct.pack("<HH", 0, len(heads))
    for i, h in enumerate(heads):
        struct.pack_into("<H", ram, avail_off + 4 + 2 * i, h)
    params = bytes([num_log2, features, desc_off // 0x100, avail_off // 0x100, used_off // 0x100, 2, 0, 0])
    return params + bytes(ram)


def virtio_net_seed():
    """NIC A (rings from 0x000) sends a broadcast in two buffers and a unicast to B in one; NIC B
    (rings from 0x600) posts four receive buffers and sends a unicast to A, which posts two."""
    ram = bytearray(0x6000)
    wr = 2  # VRING_DESC_F_WRITE

    def ring(desc_off, avail_off, descs, heads):
        for i, d in enumerate(descs):
            ram[desc_off + 16 * i:desc_off + 16 * (i + 1)] = d
        struct.pack_into("<HH", ram, avail_off, 0, len(heads))
        for i, h in enumerate(heads):
            struct.pack_into("<H", ram, avail_off + 4 + 2 * i, h)

    def frame(off, to, frm):
        ram[off + 12:off + 18] = to
        ram[off + 18:off + 24] = frm
        ram[off + 24:off + 72] = bytes(range(48))

    a, b, bcast = bytes([2, 0, 0, 0, 0, 1]), bytes([2, 0, 0, 0, 0, 2]), b"\xff" * 6
    frame(0x1000 - 12 + 12, bcast, a)  # header at 0x1000, frame from 0x100c
    frame(0x1100, b, a)
    frame(0x4000, a, b)
    # A: receiveq (0x000, avail 0x200) two buffers; transmitq (0x100, avail 0x400) two frames.
    ring(0x000, 0x200, [desc(RAM + 0x5000 + 0x800 * i, 2048, wr, 0) for i in range(2)], [0, 1])
    ring(0x100, 0x400, [desc(RAM + 0x1000, 12, 1, 1), desc(RAM + 0x100c, 60, 0, 0), desc(RAM + 0x1100, 72, 0, 0)],
         [0, 2])
    # B: receiveq (0x600, avail 0x800) four buffers; transmitq (0x700, avail 0xa00) one frame.
    ring(0x600, 0x800, [desc(RAM + 0x2000 + 0x800 * i, 2048, wr, 0) for i in range(4)], [0, 1, 2, 3])
    ring(0x700, 0xa00, [desc(RAM + 0x4000, 72, 0, 0)], [0])
    sizes = (3 << 2) | (3 << 5)  # both queues of 8
    params = bytes([sizes | 3, 0x00, 0x01, 0x02, 0x04, 0, sizes, 0x06, 0x07, 0x08, 0x0a, 0])
    # Notifies: A's transmitq, B's transmitq, B's receiveq, A's receiveq.
    params += bytes([0b00011110, 0, 3, 0])
    return params + bytes(ram)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main():
    corpus = os.path.join(ROOT, "corpus")
    write(os.path.join(corpus, "virtio_blk", "three-requests"), virtio_blk_seed(3, 0))
    write(os.path.join(corpus, "virtio_blk", "three-requests-indirect-event-idx"), virtio_blk_seed(4, 3))
    write(os.path.join(corpus, "virtio_net", "three-frames"), virtio_net_seed())
    mbr = bytearray(512 * 4)
    struct.pack_into("<B3sB3sII", mbr, 446, 0, b"", 0x83, b"", 2, 1)
    struct.pack_into("<B3sB3sII", mbr, 462, 0, b"", 0x83, b"", 3, 1)
    mbr[510:512] = b"\x55\xaa"
    write(os.path.join(corpus, "partitions", "mbr"), bytes(mbr))
    gpt = bytearray(512 * 4)
    struct.pack_into("<B3sB3sII", gpt, 446, 0, b"", 0xee, b"", 1, 3)
    gpt[510:512] = b"\x55\xaa"
    gpt[512:520] = b"EFI PART"
    struct.pack_into("<QII", gpt, 512 + 72, 2, 4, 128)
    gpt[1024:1040] = b"\x11" * 16
    struct.pack_into("<QQ", gpt, 1024 + 32, 3, 3)
    write(os.path.join(corpus, "partitions", "gpt"), bytes(gpt))


if __name__ == "__main__":
    main()
