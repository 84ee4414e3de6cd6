#!/usr/bin/env python3
"""The paper-on-paper table of docs/results/cost-model.md from a `lockstep sweep` CSV.

Usage: scripts/plot-paper-table.py SWEEP.csv [K] [COST]
Prints a Markdown table, one line per strategy and realignment mode: the predicted
realignment share of step time at batch 4, 8, 16 and 32, and the predicted throughput ratio
batch 8 / batch 1 (same strategy, same mode). Every figure is a prediction of the cost model.
"""
import csv
import sys


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    rows = list(csv.DictReader(open(sys.argv[1], newline="")))
    k = sys.argv[2] if len(sys.argv) > 2 else "5"
    cost = sys.argv[3] if len(sys.argv) > 3 else rows[0]["cost"]
    table = {}
    order = []
    for r in rows:
        if r["cost"] != cost or r["k"] not in (k, "0"):
            continue
        label = r["strategy"] + (" (published realignment)" if r["realign_mode"] == "paper" else "")
        if label not in table:
            order.append(label)
            table[label] = {}
        table[label][int(r["batch_size"])] = r
    print(f"| strategy ({cost}, k={k}) | tokens/step | realign share b4 | b8 | b16 | b32 | "
          "tokens/s b1 | tokens/s b8 | ratio b8/b1 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label in order:
        t = table[label]
        share = [f"{100 * float(t[b]['realign_share']):.1f}%" if b in t else "-" for b in (4, 8, 16, 32)]
        tps1 = float(t[1]["pred_tokens_per_s"]) if 1 in t else None
        tps8 = float(t[8]["pred_tokens_per_s"]) if 8 in t else None
        ratio = f"{tps8 / tps1:.2f}x" if tps1 and tps8 else "-"
        tps = t.get(8, t.get(1))
        print(f"| {label} | {float(tps['mean_tokens_per_step']):.2f} | " + " | ".join(share) +
              f" | {tps1:.0f} | {tps8:.0f} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
