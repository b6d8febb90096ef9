#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Merges benchmark figures into a bench's JSON file, creating it if absent.

    bench/json_put.py FILE KEY=VALUE...

A KEY with dots names nested objects: virtio_blk.bare.seq_read_mib_s=812.5 sets
{"virtio_blk": {"bare": {"seq_read_mib_s": 812.5}}} and keeps every other figure in the file
(jq '.virtio_blk.bare.seq_read_mib_s' reads it back). A VALUE that reads as a number is stored
as one, "null" as null, anything else as a string. The file is replaced whole (written beside it,
then renamed), so a reader never sees half of it; one that is not a JSON object is left alone
and the call fails.
"""
import json
import math
import os
import sys


def parse_value(text):
    if text == "null":
        return None
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        return value if math.isfinite(value) else text  # JSON has no NaN or infinity
    return text


def put(figures, key, value):
    *path, last = key.split(".")
    node = figures
    for part in path:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = value


def main(argv):
    if len(argv) < 3 or any("=" not in a or a.startswith("=") for a in argv[2:]):
        sys.stderr.write("usage: bench/json_put.py FILE KEY=VALUE...\n")
        return 2
    path = argv[1]
    figures = {}
    if os.path.exists(path):
        with open(path) as f:
            try:
                figures = json.load(f)
            except json.JSONDecodeError as e:
                sys.stderr.write(f"json_put.py: {path} is not JSON ({e}): left as it is\n")
                return 1
        if not isinstance(figures, dict):
            sys.stderr.write(f"json_put.py: {path} does not hold a JSON object: left as it is\n")
            return 1
    for pair in argv[2:]:
        key, text = pair.split("=", 1)
        put(figures, key, parse_value(text))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(figures, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
