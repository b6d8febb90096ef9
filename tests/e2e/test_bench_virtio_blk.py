# SPDX-License-Identifier: Apache-2.0
"""What bench/virtio_blk.sh stands on, kept small enough for `make test`: the guest's benchmark mode
(tessera.ddbench= in tests/guests/linux/init.sh) on bare QEMU prints every figure line the bench
parses and really writes the disk, and QEMU's trace of that run splits into bench/virtio_blk_trace.py's
figures; bench/json_put.py merges figures into a bench's JSON. The bench
itself (minutes a run) is `make bench`."""
import json
import os
import re
import subprocess

import pytest

from conftest import ROOT
from linux_helpers import LINUX_FAILURES, prepare_linux

JSON_PUT = os.path.join(ROOT, "bench/json_put.py")
TRACE_SPLIT = os.path.join(ROOT, "bench/virtio_blk_trace.py")


@pytest.mark.parametrize("arch", ["aarch64", "riscv64", "x86_64"])
def test_the_guest_benchmark_mode_prints_its_figures(arch, tmp_path):
    prepare_linux(arch)
    disk = tmp_path / "data.img"
    with open(disk, "wb") as f:
        f.truncate(16 << 20)  # sparse: only what the guest writes takes room
    params = "tessera.ddbench=/dev/vda tessera.ddbench.mib=8 tessera.ddbench.ios=25 tessera.ddbench.rounds=1"
    # QEMU's trace of its device, as bench/virtio_blk.sh's TRACE=1 takes it.
    trace = tmp_path / "trace.log"
    env = dict(os.environ, QEMU_ARGS=f"-msg timestamp=on -D {trace} -trace enable=virtio_blk_handle_read "
               "-trace enable=virtio_blk_handle_write -trace enable=virtio_blk_req_complete")
    run = subprocess.run([os.path.join(ROOT, "scripts/bare-qemu-linux.sh"), arch, str(disk), params], cwd=ROOT,
                         capture_output=True, text=True, errors="replace", timeout=240, env=env)
    out = run.stdout.replace("\r", "")
    assert run.returncode == 0, out
    for bad in LINUX_FAILURES:
        assert bad not in out, out
    # 25 reads are rounded down to tens: 10 chunks of 2.
    assert "tessera-bench: device /dev/vda: 32768 sectors; 8 MiB sequential, 20 random 4 KiB reads, 1 rounds\n" in out, out
    rate = r"[0-9]+\.[0-9] ms=[0-9]+ requests=([0-9]+) interrupts=[0-9]+\n"
    write = re.search(r"tessera-bench: round=1 seq_write_mib_s=" + rate, out)
    read = re.search(r"tessera-bench: round=1 seq_read_mib_s=" + rate, out)
    rand = re.search(r"tessera-bench: round=1 rand_read_iops=" + rate, out)
    assert write and read and rand, out
    # At least one request per 1 MiB block written and read (seg_max may split them), one per read.
    assert int(write.group(1)) >= 8 and int(read.group(1)) >= 8 and int(rand.group(1)) == 20, out
    assert re.search(r"tessera-bench: round=1 rand_read_net_us=([0-9]+|none) read_chunk_ms=[0-9]+ "
                     r"empty_chunk_ms=[0-9]+ chunk=2\n", out), out
    assert out.index("tessera-bench: done") < out.index("tessera-linux: powering off"), out
    # The writes reached the disk file: 8 MiB of it is allocated now.
    assert os.stat(disk).st_blocks * 512 >= 8 << 20
    # bench/virtio_blk_trace.py finds the 1 MiB blocks of both phases in the trace (8 each; the
    # intervals it keeps are the blocks followed by another within 5 ms) and splits their time.
    split = subprocess.run([TRACE_SPLIT, str(trace)], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for phase in ("write", "read"):
        m = re.search(rf"sequential {phase}, per 1 MiB block \(median of ([0-9]+)\): ([0-9]+) us in QEMU's device, "
                      rf"([0-9]+) us outside it, ([0-9]+) us in all\n", split)
        assert m and 3 <= int(m.group(1)) <= 7, split
        assert int(m.group(2)) > 0 and int(m.group(3)) > 0, split


def test_json_put_merges_nested_figures(tmp_path):
    path = tmp_path / "bench-x" / "bench.json"
    subprocess.run([JSON_PUT, str(path), "virtio_blk.seq_read_mib_s=812.5", "virtio_blk.bare.rand_read_iops=210",
                    "linux.exits=4000"], check=True)
    subprocess.run([JSON_PUT, str(path), "virtio_blk.seq_read_mib_s=900", "virtio_blk.rand_read_net_us=null",
                    "virtio_blk.note=n/a", "x=nan"], check=True)
    assert json.loads(path.read_text()) == {
        "linux": {"exits": 4000},
        "virtio_blk": {"seq_read_mib_s": 900, "rand_read_net_us": None, "note": "n/a",
                       "bare": {"rand_read_iops": 210}},
        "x": "nan",  # JSON has no NaN: kept as text
    }


def test_json_put_leaves_a_file_that_is_not_an_object_alone(tmp_path):
    path = tmp_path / "bench.json"
    path.write_text("[1, 2]\n")
    run = subprocess.run([JSON_PUT, str(path), "a=1"], capture_output=True, text=True)
    assert run.returncode == 1 and "does not hold a JSON object" in run.stderr
    assert path.read_text() == "[1, 2]\n"
    run = subprocess.run([JSON_PUT, str(path), "novalue"], capture_output=True, text=True)
    assert run.returncode == 2 and "usage" in run.stderr
