#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Regenerates the seed corpora of tests/fuzz/fuzz_virtio_blk.c (a guest with a well-formed queue
holding a read, a write through an indirect table and a flush) and tests/fuzz/fuzz_partitions.c (an
MBR disk and a GPT disk). Run by hand when an input format changes; the seeds are committed.

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


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main():
    corpus = os.path.join(ROOT, "corpus")
    write(os.path.join(corpus, "virtio_blk", "three-requests"), virtio_blk_seed(3, 0))
    write(os.path.join(corpus, "virtio_blk", "three-requests-indirect-event-idx"), virtio_blk_seed(4, 3))
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
