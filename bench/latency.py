#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An interrupt latency as a distribution (issue 19), from the lines a bench guest prints
(tests/guests/common/latency.c):

    bench: latency NAME samples=N min=A median=B p99=C max=D mean=E
    bench: histogram NAME value:count ... more:M

    bench/latency.py --label TEXT --json FILE --key KEY [--key KEY ...] --svg FILE
                     TESSERA_LOG NAME [BARE_LOG BARE_NAME]

Prints one line with Tessera's min / median / p99 / max (and bare QEMU's beside them, with what
Tessera adds at the median and at p99), merges KEY.{samples,min,median,p99,max,mean} (and
KEY.bare_median, KEY.bare_p99) into the bench's JSON file under each KEY given, and draws both histograms in one SVG.
Exits 1 when a log lacks its lines.
"""
import argparse
import html
import re
import sys

import json_put

FIGURES = ("samples", "min", "median", "p99", "max", "mean")


def parse(path, name):
    text = open(path, encoding="utf-8", errors="replace").read().replace("\r", "")
    line = re.search(rf"bench: latency {re.escape(name)} ((?:\w+=\d+ ?)+)", text)
    hist = re.search(rf"bench: histogram {re.escape(name)} ([0-9: ]*)more:(\d+)", text)
    if not line or not hist:
        sys.exit(f"latency.py: no 'bench: latency {name}' lines in {path}")
    figures = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line.group(1))}
    buckets = [(int(v), int(c)) for v, c in re.findall(r"(\d+):(\d+)", hist.group(1))]
    return figures, buckets


def svg(path, label, series, unit="instructions"):
    """A bar per latency value, one colour per series (Tessera, bare QEMU), counts on a log scale
    so that the tail shows beside the peak."""
    import math
    width, height, margin = 720, 300, 50
    values = [v for _, b, _ in series for v, _ in b]
    top = max(c for _, b, _ in series for _, c in b)
    lo, hi = min(values), max(values)
    span = max(hi - lo, 1)
    x = lambda v: margin + (v - lo) * (width - 2 * margin) / span
    y = lambda c: height - margin - math.log10(c + 1) * (height - 2 * margin) / math.log10(top + 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<text x="{margin}" y="20">{html.escape(label)}</text>',
           f'<line x1="{margin}" y1="{height - margin}" x2="{width - margin}" y2="{height - margin}" stroke="black"/>',
           f'<text x="{margin}" y="{height - margin + 20}">{lo}</text>',
           f'<text x="{width - margin}" y="{height - margin + 20}" text-anchor="end">{hi} {unit}</text>',
           f'<text x="{margin - 5}" y="{y(top)}" text-anchor="end">{top}</text>']
    for i, (name, buckets, colour) in enumerate(series):
        bar = max(2.0, (width - 2 * margin) / span / len(series))
        for v, c in buckets:
            out.append(f'<rect x="{x(v) + i * bar:.1f}" y="{y(c):.1f}" width="{bar:.1f}" '
                       f'height="{height - margin - y(c):.1f}" fill="{colour}"><title>{name}: {c} at {v}</title></rect>')
        out.append(f'<text x="{width - margin}" y="{40 + 16 * i}" text-anchor="end" fill="{colour}">{name}</text>')
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--label", required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--key", required=True, action="append")
    p.add_argument("--svg", required=True)
    p.add_argument("--unit", default="instructions", help="what the samples count (default: instructions)")
    p.add_argument("logs", nargs="+")
    a = p.parse_args()
    if len(a.logs) not in (2, 4):
        p.error("TESSERA_LOG NAME [BARE_LOG BARE_NAME]")
    figures, buckets = parse(a.logs[0], a.logs[1])
    text = "/".join(str(figures[k]) for k in ("min", "median", "p99", "max"))
    puts = {f"{key}.{k}": figures[k] for key in a.key for k in FIGURES}
    series = [("Tessera", buckets, "#c0392b")]
    line = f"{a.label}, {a.unit} over {figures['samples']} samples, min/median/p99/max: Tessera {text}"
    if len(a.logs) == 4:
        bare, bare_buckets = parse(a.logs[2], a.logs[3])
        line += (f"; bare QEMU {'/'.join(str(bare[k]) for k in ('min', 'median', 'p99', 'max'))}"
                 f"; Tessera adds {figures['median'] - bare['median']} at the median, "
                 f"{figures['p99'] - bare['p99']} at p99")
        for key in a.key:
            puts[f"{key}.bare_median"] = bare["median"]
            puts[f"{key}.bare_p99"] = bare["p99"]
        series.append(("bare QEMU", bare_buckets, "#2980b9"))
    print(line + f" (histogram: {a.svg})")
    if json_put.main(["json_put.py", a.json] + [f"{k}={v}" for k, v in puts.items()]) != 0:
        sys.exit(1)
    svg(a.svg, a.label, series, a.unit)


if __name__ == "__main__":
    main()
