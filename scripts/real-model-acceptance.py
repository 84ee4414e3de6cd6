#!/usr/bin/env python3
"""Acceptance of the real drafters on the real model, per SpecBench category (issue 12, item 6).

Runs `lockstep run` on SmolLM2-135M (scenarios/models/smollm2_specbench.json's model, chat
template) with the first N first-turn questions of every SpecBench category, once per drafter x
k, and prints a markdown table: drafts accepted / proposed and tokens per step per sequence,
per category. Every run is also checked for equivalence (a run that is not 100% equivalent is
an error). Needs the model in the cache (scripts/fetch-model.sh smollm2-135m).

  scripts/real-model-acceptance.py --specbench PATH [--per-category N] [--k 3,5]
      [--layers 10] [--max-prompt-chars 600] [--max-new-tokens 32] [--lockstep BIN]
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile


def questions_by_category(path, per_category):
    picked = collections.OrderedDict()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            chosen = picked.setdefault(record["category"], [])
            if len(chosen) < per_category:
                chosen.append(record["turns"][0])
    return picked


def cut(text, max_chars):
    # Long RAG and summarization contexts would dominate the CPU time; a text prompt has no
    # token cut (max_prompt_tokens is SpecBench-source only), so cut by characters.
    return text if len(text) <= max_chars else text[:max_chars]


def run(args, drafter, k, texts, workdir):
    scenario = {
        "name": "real_model_acceptance",
        "description": "scripts/real-model-acceptance.py",
        "backend": "cpu",
        "target": {"gguf": "smollm2-135m"},
        "draft": drafter,
        "strategy": "eqspec",
        "batch_size": 8,
        "k": k,
        "max_new_tokens": args.max_new_tokens,
        "window": 8,
        "faults": [],
        "prompts": {"text": texts, "chat": True},
    }
    path = os.path.join(workdir, "scenario.json")
    summary = os.path.join(workdir, "summary.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(scenario, f)
    subprocess.run([args.lockstep, "run", path, "--summary-json", summary], check=True,
                   stdout=subprocess.DEVNULL)
    with open(summary, encoding="utf-8") as f:
        return json.load(f)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--specbench", required=True)
    p.add_argument("--per-category", type=int, default=4)
    p.add_argument("--k", default="3,5")
    p.add_argument("--layers", type=int, default=10)
    p.add_argument("--max-prompt-chars", type=int, default=600)
    p.add_argument("--max-new-tokens", type=int, default=32)
    p.add_argument("--lockstep", default="build/default/bin/lockstep")
    args = p.parse_args()
    picked = questions_by_category(args.specbench, args.per_category)
    texts, owner = [], []
    for category, questions in picked.items():
        for q in questions:
            texts.append(cut(q, args.max_prompt_chars))
            owner.append(category)
    drafters = [("prompt lookup (n 1..3)", {"kind": "prompt-lookup"}),
                (f"layer skip (first {args.layers} of 30 layers)",
                 {"kind": "model", "target_layers": args.layers})]
    ks = [int(k) for k in args.k.split(",")]
    columns = []
    table = collections.defaultdict(dict)
    with tempfile.TemporaryDirectory() as workdir:
        for label, drafter in drafters:
            for k in ks:
                s = run(args, drafter, k, texts, workdir)
                if s["equivalent_sequences"] != len(texts) or s["violation_count"] != 0:
                    sys.exit(f"{label} k={k}: not 100% equivalent")
                column = f"{label}, k={k}"
                columns.append(column)
                sums = collections.defaultdict(lambda: [0, 0, 0, 0])
                for seq in s["per_sequence"]:
                    acc = sums[owner[seq["seq"]]]
                    acc[0] += seq["draft_accepted"]
                    acc[1] += seq["draft_proposed"]
                    acc[2] += seq["generated"]
                    acc[3] += seq["rounds"]
                total = [sum(v[i] for v in sums.values()) for i in range(4)]
                for category, (a, n, g, r) in list(sums.items()) + [("all", total)]:
                    table[category][column] = f"{100 * a / max(n, 1):.1f}% / {g / max(r, 1):.2f}"
    print(f"{len(texts)} prompts ({args.per_category} per category, cut to "
          f"{args.max_prompt_chars} characters, chat template), {args.max_new_tokens} new tokens, "
          "eqspec at batch 8; each cell: drafts accepted / tokens per step per sequence\n")
    print("| category | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for category in list(picked) + ["all"]:
        print(f"| {category} | " + " | ".join(table[category].get(c, "-") for c in columns) + " |")


if __name__ == "__main__":
    main()
