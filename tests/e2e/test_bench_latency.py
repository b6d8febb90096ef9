# SPDX-License-Identifier: Apache-2.0
"""The interrupt-latency distribution of `make bench` (issue 19), on the host: the bench guests'
histogram (tests/guests/common/latency.c, compiled here with the console as stdout) gives the
right percentiles for known samples, bench/latency.py turns a guest's lines into the printed
figures, the JSON keys and the SVG picture, and bench/check.py (make bench-check) fails on a figure
more than 5 % above its baseline."""
import json
import os
import re
import subprocess

from conftest import ROOT

HARNESS = r"""
#include <stdio.h>
#include <stdint.h>
static void puts_uart(const char *s) { fputs(s, stdout); }
static void putc_uart(char c) { putchar(c); }
static void put_dec(uint64_t v) { printf("%llu", (unsigned long long)v); }
#include "latency.c"
static struct latency l;
int main(void)
{
	/* 1000 samples: 900 of 10, 90 of 20, 9 of 30 and one beyond the buckets. */
	for (int i = 0; i < 900; i++) latency_add(&l, 10);
	for (int i = 0; i < 90; i++) latency_add(&l, 20);
	for (int i = 0; i < 9; i++) latency_add(&l, 30);
	latency_add(&l, 100000);
	latency_report("timer", &l, 16);
	return 0;
}
"""


def guest_lines(tmp_path):
    src = tmp_path / "harness.c"
    src.write_text(HARNESS)
    exe = tmp_path / "harness"
    subprocess.run(["clang-14", "-std=c11", "-Wall", "-Werror", "-I", os.path.join(ROOT, "tests/guests/common"),
                    str(src), "-o", str(exe)], check=True)
    return subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout


def test_the_guests_histogram_gives_min_median_p99_and_max(tmp_path):
    out = guest_lines(tmp_path)
    # Median: the 500th sample is 10; p99: the 990th is 20; max keeps the one past the buckets.
    assert "bench: latency timer samples=1000 min=160 median=160 p99=320 max=1600000 mean=" in out, out
    assert re.search(r"bench: histogram timer 160:900 320:90 480:9 131056:1 more:0\n", out), out


def test_latency_py_prints_writes_json_and_draws(tmp_path):
    tessera = tmp_path / "tessera.log"
    tessera.write_text("[vm1] " + guest_lines(tmp_path).replace("\n", "\n[vm1] "))
    bare = tmp_path / "bare.log"
    bare.write_text("bench: latency timer_bare samples=1000 min=96 median=112 p99=128 max=400 mean=110\n"
                    "bench: histogram timer_bare 96:10 112:980 128:9 400:1 more:0\n")
    json_file, svg = tmp_path / "bench.json", tmp_path / "timer.svg"
    r = subprocess.run([os.path.join(ROOT, "bench/latency.py"), "--label", "timer latency", "--json", str(json_file),
                        "--key", "irq_latency.timer", "--key", "irq_latency.also", "--svg", str(svg), str(tessera), "timer",
                        str(bare), "timer_bare"],
                       check=True, capture_output=True, text=True)
    assert ("timer latency, instructions over 1000 samples, min/median/p99/max: Tessera 160/160/320/1600000; "
            "bare QEMU 96/112/128/400; Tessera adds 48 at the median, 192 at p99") in r.stdout, r.stdout
    figures = json.loads(json_file.read_text())["irq_latency"]["timer"]
    assert figures["median"] == 160 and figures["p99"] == 320 and figures["max"] == 1600000, figures
    assert figures["bare_median"] == 112 and figures["samples"] == 1000, figures
    assert json.loads(json_file.read_text())["irq_latency"]["also"] == figures  # every --key gets them
    picture = svg.read_text()
    assert picture.startswith("<svg") and picture.count("<rect") == 8, picture


def test_latency_py_fails_on_a_log_without_the_lines(tmp_path):
    log = tmp_path / "empty.log"
    log.write_text("bench: done\n")
    r = subprocess.run([os.path.join(ROOT, "bench/latency.py"), "--label", "x", "--json", str(tmp_path / "b.json"),
                        "--key", "k", "--svg", str(tmp_path / "x.svg"), str(log), "timer"], capture_output=True, text=True)
    assert r.returncode != 0 and "no 'bench: latency timer' lines" in r.stderr, r.stderr


def test_bench_check_fails_on_a_regression_over_five_percent(tmp_path):
    baseline, results = tmp_path / "baseline.json", tmp_path / "run.json"
    baseline.write_text(json.dumps({"exit": {"null_call": 100, "mmio_read": 200}, "irq_latency": {"timer": {"p99": 50}}}))
    check = os.path.join(ROOT, "bench/check.py")
    results.write_text(json.dumps({"exit": {"null_call": 105, "mmio_read": 150}, "irq_latency": {"timer": {"p99": 50}}}))
    r = subprocess.run([check, str(baseline), str(results)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
    assert re.search(r"exit\.mmio_read +baseline +200 +run +150 +-25\.0 % +better", r.stdout), r.stdout
    results.write_text(json.dumps({"exit": {"null_call": 106, "mmio_read": 200}, "irq_latency": {}}))
    r = subprocess.run([check, str(baseline), str(results)], capture_output=True, text=True)
    assert r.returncode == 1, r.stdout
    assert re.search(r"exit\.null_call +baseline +100 +run +106 +\+6\.0 % +FAIL", r.stdout), r.stdout
    assert re.search(r"irq_latency\.timer\.p99 +baseline +50 +run: missing +FAIL", r.stdout), r.stdout
    assert "2 figure(s) worse than" in r.stdout, r.stdout
