"""Times llama.cpp (through PyPI's llama-cpp-python) on a GGUF file: greedy decoding of the
same prompt token ids lockstep runs, at a given batch size (one sequence per prompt, all
decoded together one token per step through llama_decode, as llama.cpp's batched example
does). Prints one JSON object: prefill and decode wall time, decode seconds per generated
token and per step, and the greedy continuations (so a run can be compared by eye with
lockstep's text; llama.cpp's float numerics make small divergences expected).

Used by scripts/bench-real-model.sh; not a test. Input: JSON Lines from
`lockstep tokenize --json` (one prompt per line, field "ids")."""
import argparse
import ctypes
import json
import sys
import time

import numpy as np
import llama_cpp


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, help="path to the .gguf file")
    p.add_argument("--prompts", required=True, help="JSON Lines with an 'ids' list per line")
    p.add_argument("--batch", type=int, required=True, help="sequences decoded together")
    p.add_argument("--new-tokens", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    return p.parse_args()


def load_prompts(path, count):
    with open(path) as f:
        prompts = [json.loads(line)["ids"] for line in f if line.strip()]
    if len(prompts) < count:
        sys.exit(f"llama_cpp_time: {path} has {len(prompts)} prompts, --batch needs {count}")
    return prompts[:count]


@llama_cpp.llama_log_callback
def _quiet(level, text, user_data):
    """llama.cpp logs every tensor it loads; the timing's JSON line is the only output."""


def open_context(model_path, n_seq, n_ctx, threads):
    llama_cpp.llama_log_set(_quiet, ctypes.c_void_p())
    llama_cpp.llama_backend_init()
    model = llama_cpp.llama_model_load_from_file(model_path.encode(),
                                                  llama_cpp.llama_model_default_params())
    if not model:
        sys.exit(f"llama_cpp_time: llama.cpp could not load {model_path}")
    params = llama_cpp.llama_context_default_params()
    params.n_ctx = n_ctx
    params.n_batch = n_ctx
    params.n_seq_max = n_seq
    params.n_threads = threads
    params.n_threads_batch = threads
    ctx = llama_cpp.llama_init_from_model(model, params)
    if not ctx:
        sys.exit("llama_cpp_time: llama.cpp could not make a context")
    n_vocab = llama_cpp.llama_vocab_n_tokens(llama_cpp.llama_model_get_vocab(model))
    return model, ctx, n_vocab


def decode(ctx, batch, entries):
    """entries: (token, position, sequence, wants_logits). Returns the batch indices with logits."""
    batch.n_tokens = len(entries)
    for i, (token, pos, seq, logits) in enumerate(entries):
        batch.token[i] = token
        batch.pos[i] = pos
        batch.n_seq_id[i] = 1
        batch.seq_id[i][0] = seq
        batch.logits[i] = 1 if logits else 0
    if llama_cpp.llama_decode(ctx, batch) != 0:
        sys.exit("llama_cpp_time: llama_decode failed")
    return [i for i, e in enumerate(entries) if e[3]]


def argmax_at(ctx, index, n_vocab):
    row = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, index), shape=(n_vocab,))
    return int(np.argmax(row))


def main():
    args = parse_args()
    prompts = load_prompts(args.prompts, args.batch)
    n_ctx = max(len(p) for p in prompts) * args.batch + args.new_tokens * args.batch + 64
    model, ctx, n_vocab = open_context(args.model, args.batch, n_ctx, args.threads)
    batch = llama_cpp.llama_batch_init(n_ctx, 0, args.batch)

    start = time.perf_counter()
    entries = [(t, pos, s, pos == len(p) - 1) for s, p in enumerate(prompts) for pos, t in enumerate(p)]
    rows = decode(ctx, batch, entries)
    next_tokens = [argmax_at(ctx, r, n_vocab) for r in rows]
    prefill_s = time.perf_counter() - start

    outputs = [[t] for t in next_tokens]
    start = time.perf_counter()
    for step in range(1, args.new_tokens):
        entries = [(outputs[s][-1], len(prompts[s]) + step - 1, s, True) for s in range(args.batch)]
        rows = decode(ctx, batch, entries)
        for s, r in enumerate(rows):
            outputs[s].append(argmax_at(ctx, r, n_vocab))
    decode_s = time.perf_counter() - start

    steps = args.new_tokens - 1
    print(json.dumps({
        "engine": "llama.cpp " + getattr(llama_cpp, "__version__", "?"),
        "batch": args.batch, "threads": args.threads, "new_tokens": args.new_tokens,
        "prefill_s": prefill_s, "decode_s": decode_s,
        "decode_s_per_step": decode_s / steps,
        "decode_s_per_token": decode_s / (steps * args.batch),
        "outputs": outputs,
    }))
    llama_cpp.llama_batch_free(batch)
    llama_cpp.llama_free(ctx)
    llama_cpp.llama_model_free(model)


if __name__ == "__main__":
    main()
