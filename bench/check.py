#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make bench-check: compares the instruction-counted figures of a bench run with the baseline
committed in the tree (bench/baseline/<arch>.json) and fails on a regression over the tolerance.

    bench/check.py BASELINE RESULTS [TOLERANCE_PERCENT]

Every number in BASELINE (nested keys, as in the bench's JSON) is a cost: lower is better. Each is
printed beside the run's figure with the change in percent; one more than TOLERANCE_PERCENT (5)
above its baseline, or missing from the run, fails the check. A figure well below its baseline
is reported too (the baseline may be lowered to keep the gain). Only figures that repeat exactly
belong in a baseline: instruction counts under -icount, not wall-clock times.
"""
import json
import sys


def flatten(node, prefix=""):
    for key, value in sorted(node.items()):
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from flatten(value, name + ".")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            yield name, value


def lookup(node, dotted):
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, (int, float)) and not isinstance(node, bool) else None


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write("usage: bench/check.py BASELINE RESULTS [TOLERANCE_PERCENT]\n")
        return 2
    baseline = json.load(open(argv[1]))
    results = json.load(open(argv[2]))
    tolerance = float(argv[3]) if len(argv) == 4 else 5.0
    failed = 0
    for name, base in flatten(baseline):
        now = lookup(results, name)
        if now is None:
            print(f"  {name:40} baseline {base:>10}  run: missing  FAIL")
            failed += 1
            continue
        change = (now - base) * 100.0 / base if base else 0.0
        verdict = "FAIL" if change > tolerance else "better" if change < -tolerance else "ok"
        print(f"  {name:40} baseline {base:>10}  run {now:>10}  {change:+6.1f} %  {verdict}")
        failed += verdict == "FAIL"
    if failed:
        print(f"bench-check: {failed} figure(s) worse than {argv[1]} by more than {tolerance:g} %")
        return 1
    print(f"bench-check: every figure within {tolerance:g} % of {argv[1]} or better")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
