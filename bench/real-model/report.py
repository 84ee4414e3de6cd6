"""Joins scripts/bench-real-model.sh's outputs into one Markdown table: decode seconds per
generated token for lockstep (exact, cpu backend) and llama.cpp at batch 1 and 8, their ratio,
and the Eigen float32 GEMM floor of the same products. Decode excludes prefill: lockstep's
steps each produce every token (its prefill produces none), llama.cpp's prefill produces the
first token, so its decode time is divided by the tokens after the first."""
import csv
import json
import sys
from pathlib import Path


def lockstep_rows(out):
    with open(out / "lockstep" / "bench.csv") as f:
        rows = {int(r["batch_size"]): r for r in csv.DictReader(f) if r["strategy"] == "ar"}
    result = {}
    for batch, r in rows.items():
        decode_s = float(r["run_seconds_median"]) - float(r["prefill_seconds"])
        result[batch] = decode_s / int(r["generated_tokens"])
    return result


def main():
    out = Path(sys.argv[1])
    ours = lockstep_rows(out)
    print("| batch | lockstep s/token | llama.cpp s/token | lockstep / llama.cpp | Eigen f32 GEMM floor s/token | floor / lockstep |")
    print("|---|---|---|---|---|---|")
    for batch in (1, 8):
        theirs = json.loads((out / f"llama_cpp_b{batch}.json").read_text())["decode_s_per_token"]
        floor = json.loads((out / f"floor_b{batch}.json").read_text())["s_per_token"]
        mine = ours[batch]
        print(f"| {batch} | {mine:.4f} | {theirs:.4f} | {mine / theirs:.2f}x | {floor:.4f} | {floor / mine:.2f} |")


if __name__ == "__main__":
    main()
