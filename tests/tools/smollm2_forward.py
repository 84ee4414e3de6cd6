#!/usr/bin/env python3
"""A short float32 numpy forward of a llama-family GGUF model (SmolLM2-135M), and an emulation
of candidate integer schemes of lockstep's exact numerics, compared by teacher-forced next-token
agreement on SpecBench prompts.

Independent of lockstep: the weights are dequantized by PyPI's `gguf` package, the tokenizer is
PyPI's `tokenizers` built from the file's vocabulary and merges. The emulations compute the
integer products exactly (float64 GEMMs on small integers) and the elementwise steps in float64,
so they reproduce a scheme's rounding decisions, not its every float bit; they answer "how good
is this scheme", while the C++ reference defines its bits (docs/numerics.md).

Teacher forcing: the float32 model generates 32 greedy tokens after the chat-formatted prompt;
every scheme then runs one causal pass over prompt + those tokens, and a position agrees when
the scheme's argmax equals the float model's next token.

Usage:
  smollm2_forward.py measure MODEL.gguf QUESTIONS.jsonl [--prompts 60] [--tokens 32] [--schemes a,b]
  smollm2_forward.py calibrate MODEL.gguf QUESTIONS.jsonl         # per-layer K/V scales, hex f32
  smollm2_forward.py generate MODEL.gguf QUESTIONS.jsonl --first N --tokens T
      # one line per prompt: "SpecBench line | prompt ids | float32 greedy ids"
"""
import argparse
import json
import struct
import sys

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize

# Evaluation prompts: SpecBench lines 0, 8, 16, ... (spread over every category). Calibration
# prompts: lines 3, 33, 63, ..., 453 (16 prompts, disjoint from the evaluation set); the larger
# set of 48 is lines 3, 13, 23, ..., 473 (odd lines, so still disjoint; it holds the 16).
EVAL_STRIDE = 8
CALIB_LINES = {16: [3 + 30 * i for i in range(16)], 48: [3 + 10 * i for i in range(48)]}


def field(reader, key):
    return reader.fields[key].contents()


class Model:
    """The GGUF tensors as float32 [out, in] matrices, and the llama hyperparameters."""

    def __init__(self, path):
        r = GGUFReader(path)
        self.reader = r
        self.n_layers = int(field(r, "llama.block_count"))
        self.d = int(field(r, "llama.embedding_length"))
        self.heads = int(field(r, "llama.attention.head_count"))
        self.kv_heads = int(field(r, "llama.attention.head_count_kv"))
        self.head_dim = self.d // self.heads
        self.rope_base = float(field(r, "llama.rope.freq_base"))
        self.eps = float(np.float32(field(r, "llama.attention.layer_norm_rms_epsilon")))
        t = {x.name: x for x in r.tensors}
        def get(name):
            x = t[name]
            return dequantize(x.data, x.tensor_type).astype(np.float32).reshape(
                [int(v) for v in reversed(x.shape)] if len(x.shape) > 1 else [int(x.shape[0])])
        self.embedding = get("token_embd.weight")  # [V, d]
        self.head = get("output.weight") if "output.weight" in t else self.embedding
        self.out_norm = get("output_norm.weight")
        self.layers = []
        for l in range(self.n_layers):
            p = f"blk.{l}."
            self.layers.append({k: get(p + n + ".weight") for k, n in [
                ("attn_norm", "attn_norm"), ("wq", "attn_q"), ("wk", "attn_k"), ("wv", "attn_v"),
                ("wo", "attn_output"), ("ffn_norm", "ffn_norm"), ("wg", "ffn_gate"),
                ("wu", "ffn_up"), ("wd", "ffn_down")]})
        self.vocab = self.embedding.shape[0]

    def rope_tables(self, positions):
        j = np.arange(self.head_dim // 2, dtype=np.float64)
        theta = self.rope_base ** (-2.0 * j / self.head_dim)
        ang = np.arange(positions, dtype=np.float64)[:, None] * theta[None, :]
        return np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)


def tokenizer_of(model):
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders, AddedToken
    r = model.reader
    tokens = [str(x) for x in field(r, "tokenizer.ggml.tokens")]
    merges = [tuple(str(m).split(" ", 1)) for m in field(r, "tokenizer.ggml.merges")]
    tok = Tokenizer(models.BPE({s: i for i, s in enumerate(tokens)}, merges))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    tok.decoder = decoders.ByteLevel()
    types = field(r, "tokenizer.ggml.token_type")
    tok.add_special_tokens([AddedToken(tokens[i], special=True)
                            for i in range(len(tokens)) if int(types[i]) == 3])
    return tok


def chat_prompt(tok, text):
    return tok.encode(f"<|im_start|>user\n{text}<|im_end|>\n<|im_start|>assistant\n").ids


def rope(x, heads, head_dim, cos, sin, positions):
    """Adjacent pairs (2j, 2j+1): llama.cpp's 'normal' RoPE for llama GGUF files."""
    n = x.shape[0]
    y = x.reshape(n, heads, head_dim // 2, 2).astype(np.float64)
    c = cos[positions][:, None, :]
    s = sin[positions][:, None, :]
    x0, x1 = y[..., 0], y[..., 1]
    out = np.stack([x0 * c - x1 * s, x0 * s + x1 * c], axis=-1)
    return out.reshape(n, heads * head_dim)


def rmsnorm(x, gain, eps):
    return x / np.sqrt(np.mean(x.astype(np.float64) ** 2, axis=1, keepdims=True) + eps) * gain


# ----------------------------------------------------------------------------------------------
# The float32 forward with a cache (for generation)


def float_forward(m, tokens, start, cache, tables, last_only=False):
    """Logits [N, V] of `tokens` at positions start.., appending K/V to `cache` (list per layer);
    last_only: of the last token alone (all generation needs)."""
    cos, sin = tables
    pos = np.arange(start, start + len(tokens))
    h = m.embedding[tokens].astype(np.float32)
    D, H, G = m.head_dim, m.heads, m.kv_heads
    for l, w in enumerate(m.layers):
        x = rmsnorm(h, w["attn_norm"], m.eps).astype(np.float32)
        q = rope(x @ w["wq"].T, H, D, cos, sin, pos).astype(np.float32)
        k = rope(x @ w["wk"].T, G, D, cos, sin, pos).astype(np.float32)
        v = (x @ w["wv"].T).astype(np.float32)
        cache[l][0].append(k)
        cache[l][1].append(v)
        K = np.concatenate(cache[l][0])
        V = np.concatenate(cache[l][1])
        a = attention_float(q, K, V, H, G, D, pos)
        h = (h + a @ w["wo"].T).astype(np.float32)
        x = rmsnorm(h, w["ffn_norm"], m.eps).astype(np.float32)
        g = x @ w["wg"].T
        u = x @ w["wu"].T
        act = (g / (1 + np.exp(-g.astype(np.float64))) * u).astype(np.float32)
        h = (h + act @ w["wd"].T).astype(np.float32)
    x = rmsnorm(h[-1:] if last_only else h, m.out_norm, m.eps).astype(np.float32)
    return x @ m.head.T


def attention_float(q, K, V, H, G, D, pos):
    n, S = q.shape[0], K.shape[0]
    out = np.zeros((n, H * D), dtype=np.float64)
    mask = np.arange(S)[None, :] <= pos[:, None]
    for h in range(H):
        g = h // (H // G)
        s = (q[:, h * D:(h + 1) * D] @ K[:, g * D:(g + 1) * D].T) / np.sqrt(D)
        s = np.where(mask, s, -np.inf)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        out[:, h * D:(h + 1) * D] = p @ V[:, g * D:(g + 1) * D]
    return out.astype(np.float32)


def generate(m, prompt, n_new, tables):
    cache = [([], []) for _ in m.layers]
    logits = float_forward(m, prompt, 0, cache, tables, last_only=True)
    out = []
    for _ in range(n_new):
        t = int(np.argmax(logits[-1]))
        out.append(t)
        logits = float_forward(m, [t], len(prompt) + len(out) - 1, cache, tables, last_only=True)
    return out


# ----------------------------------------------------------------------------------------------
# Emulated integer schemes (one causal pass over a whole sequence)


def int8_per_channel(w):
    amax = np.abs(w).max(axis=1)
    scale = np.where(amax > 0, amax / 127.0, 1.0)
    return np.clip(np.rint(w / scale[:, None]), -127, 127), scale


class Scheme:
    """act: 'float' | 'int8' | 'int16'; norm: 'folded' (today: quantize the raw residual, gain in
    the weights, RMS factor from the integers) | 'before' (RMSNorm x gain in float, then
    quantize); kv: 'float' | 'fixed' | 'layer' | 'head' (one K and one V scale per layer and KV
    head) | 'chan' (per layer, KV head and channel; the K scale folded into q, the V scale applied
    after the exact sum) | 'pair' (as 'chan', but each RoPE pair's two K channels share the max of
    the pair's norm, which no rotation can exceed); headroom: the calibrated maxima are multiplied
    by it; attn: 'exact' (per-head int8 q, 7-bit softmax weights) | 'float'."""

    def __init__(self, name, act, norm, kv, attn="exact", weights="int8", headroom=1.0,
                 q_max=127, p_max=127, calib=16):
        self.name, self.act, self.norm, self.kv, self.attn, self.weights = (
            name, act, norm, kv, attn, weights)
        self.headroom, self.q_max, self.p_max, self.calib = headroom, q_max, p_max, calib


SCHEMES = {
    "float32": Scheme("float32", "float", "before", "float", "float", "float"),
    "w8": Scheme("w8", "float", "before", "float", "float"),
    "today-fixedkv": Scheme("today-fixedkv", "int8", "folded", "fixed"),
    "today-layerkv": Scheme("today-layerkv", "int8", "folded", "layer"),
    "a16-layerkv": Scheme("a16-layerkv", "int16", "folded", "layer"),
    "b8-layerkv": Scheme("b8-layerkv", "int8", "before", "layer"),
    "a16b-layerkv": Scheme("a16b-layerkv", "int16", "before", "layer"),
    "a16-layerkv-floatattn": Scheme("a16-layerkv-floatattn", "int16", "folded", "layer", "float"),
    "float-act-layerkv": Scheme("float-act-layerkv", "float", "before", "layer"),
    "a16-headkv": Scheme("a16-headkv", "int16", "folded", "head"),
    "a16-chankv": Scheme("a16-chankv", "int16", "folded", "chan"),
    "a16-chankv-floatattn": Scheme("a16-chankv-floatattn", "int16", "folded", "chan", "float"),
    "a16-headkv-h2": Scheme("a16-headkv-h2", "int16", "folded", "head", headroom=2.0),
    "a16-chankv-h2": Scheme("a16-chankv-h2", "int16", "folded", "chan", headroom=2.0),
    "a16-pairkv": Scheme("a16-pairkv", "int16", "folded", "pair"),
    "a16-pairkv-h15": Scheme("a16-pairkv-h15", "int16", "folded", "pair", headroom=1.5),
    "a16-pairkv-h2": Scheme("a16-pairkv-h2", "int16", "folded", "pair", headroom=2.0),
    # The K/V cache's own cost: int8 weights, float activations and attention, int8 K/V.
    "w8-layerkv-floatattn": Scheme("w8-layerkv-floatattn", "float", "before", "layer", "float"),
    "w8-chankv-floatattn": Scheme("w8-chankv-floatattn", "float", "before", "chan", "float"),
    # The exact attention's own steps: 15-bit softmax weights, 16-bit q.
    "a16-layerkv-p15": Scheme("a16-layerkv-p15", "int16", "folded", "layer", p_max=32767),
    "a16-layerkv-q16": Scheme("a16-layerkv-q16", "int16", "folded", "layer", q_max=32512),
    # Wider attention integers with and without the gain applied before quantizing, ranked on
    # all 60 prompts (the 12-prompt screen sat at the ceiling); -c48: 48 calibration prompts.
    "a16-layerkv-p15-q16": Scheme("a16-layerkv-p15-q16", "int16", "folded", "layer",
                                  q_max=32512, p_max=32767),
    "a16b-layerkv-p15": Scheme("a16b-layerkv-p15", "int16", "before", "layer", p_max=32767),
    "a16b-layerkv-q16": Scheme("a16b-layerkv-q16", "int16", "before", "layer", q_max=32512),
    "a16b-layerkv-p15-q16": Scheme("a16b-layerkv-p15-q16", "int16", "before", "layer",
                                   q_max=32512, p_max=32767),
    "a16b-layerkv-p15-q16-c48": Scheme("a16b-layerkv-p15-q16-c48", "int16", "before", "layer",
                                       q_max=32512, p_max=32767, calib=48),
    "a16b-layerkv-floatattn": Scheme("a16b-layerkv-floatattn", "int16", "before", "layer",
                                     "float"),
}

# int16: 32512 = 127 * 256 = 255 * 127 + 127, the loaded path's range (docs/numerics.md §13.1):
# q = 255 * hi + lo with both digits in [-127, 127].
QMAX = {"int8": 127.0, "int16": 32512.0}


class Emulated:
    def __init__(self, m, scheme, kv_scales):
        self.m, self.s, self.kv_scales = m, scheme, kv_scales
        folded = scheme.norm == "folded"
        self.layers = []
        for w in m.layers:
            wq = {}
            for k in ("wq", "wk", "wv"):
                wq[k] = self.prep(w[k] * w["attn_norm"][None, :] if folded else w[k])
            for k in ("wg", "wu"):
                wq[k] = self.prep(w[k] * w["ffn_norm"][None, :] if folded else w[k])
            wq["wo"], wq["wd"] = self.prep(w["wo"]), self.prep(w["wd"])
            wq["attn_norm"], wq["ffn_norm"] = w["attn_norm"], w["ffn_norm"]
            self.layers.append(wq)
        self.head = self.prep(m.head * m.out_norm[None, :] if folded else m.head)
        self.emb = self.prep(m.embedding)

    def prep(self, w):
        if self.s.weights == "float":
            return (w.astype(np.float64), np.ones(w.shape[0]))
        return int8_per_channel(w.astype(np.float64))

    def quant(self, x, rms):
        """(integers or floats, per-row factor)."""
        if self.s.act == "float":
            if rms:
                return x, 1.0 / np.sqrt(np.mean(x ** 2, axis=1) + self.m.eps)
            return x, np.ones(x.shape[0])
        qmax = QMAX[self.s.act]
        amax = np.abs(x).max(axis=1)
        s = np.where(amax > 0, amax / qmax, 1.0)
        q = np.clip(np.rint(x / s[:, None]), -qmax, qmax)
        if rms:  # RMS of the integers; int8: today's eps 1e-6 in q units; int16: the file's
            eps = 1e-6 if self.s.act == "int8" else self.m.eps / s ** 2
            return q, 1.0 / np.sqrt(np.mean(q ** 2, axis=1) + eps)
        return q, s

    def normed(self, h, gain):
        if self.s.norm == "folded":
            return self.quant(h, rms=True)
        return self.quant(rmsnorm(h, gain, self.m.eps), rms=False)

    @staticmethod
    def project(xq, w):
        q, f = xq
        wv, ws = w
        return (q @ wv.T) * ws[None, :] * f[:, None]

    def forward(self, tokens, tables, record_kv=None, logits_from=0):
        """Logits of rows logits_from.. (every step is per row but attention, so skipping the
        head's rows before logits_from changes no figure; it saves most of the time)."""
        m = self.m
        cos, sin = tables
        pos = np.arange(len(tokens))
        ev, es = self.emb
        h = ev[tokens] * es[tokens][:, None]
        D, H, G = m.head_dim, m.heads, m.kv_heads
        for l, w in enumerate(self.layers):
            xq = self.normed(h, w["attn_norm"])
            q = rope(self.project(xq, w["wq"]), H, D, cos, sin, pos)
            k = rope(self.project(xq, w["wk"]), G, D, cos, sin, pos)
            v = self.project(xq, w["wv"])
            if record_kv is not None:  # per channel; coarser scales take maxima of these
                record_kv[l][0] = np.maximum(record_kv[l][0], np.abs(k).max(axis=0))
                record_kv[l][1] = np.maximum(record_kv[l][1], np.abs(v).max(axis=0))
            a = self.attention(q, k, v, l, pos)
            h = h + self.project(self.quant(a, rms=False), w["wo"])
            xm = self.normed(h, w["ffn_norm"])
            g = self.project(xm, w["wg"])
            u = self.project(xm, w["wu"])
            act = g / (1 + np.exp(-np.clip(g, -87, 88))) * u
            h = h + self.project(self.quant(act, rms=False), w["wd"])
        if record_kv is not None:
            return None
        return self.project(self.normed(h[logits_from:], m.out_norm), self.head)

    def attention(self, q, k, v, l, pos):
        m, s = self.m, self.s
        if s.kv == "float":
            return attention_float(q, k, v, m.heads, m.kv_heads, m.head_dim, pos)
        ks, vs = (4.0 / 127, 4.0 / 127) if s.kv == "fixed" else kv_scales_of(
            self.kv_scales[l], s.kv, s.headroom, m.kv_heads, m.head_dim)
        kq = np.clip(np.rint(k / ks), -127, 127)
        vq = np.clip(np.rint(v / vs), -127, 127)
        if s.attn == "float":
            return attention_float(q, kq * ks, vq * vs, m.heads, m.kv_heads, m.head_dim, pos)
        return attention_exact(q, kq, vq, ks, vs, m.heads, m.kv_heads, m.head_dim, pos,
                               s.q_max, s.p_max)


def attention_exact(q, kq, vq, ks, vs, H, G, D, pos, q_max=127, p_max=127):
    """Today's reference: per-(token, head) int8 q, integer scores, 7-bit softmax weights
    (q_max, p_max: the integer ranges of q and of the softmax weights)."""
    n = q.shape[0]
    out = np.zeros((n, H * D))
    mask = np.arange(kq.shape[0])[None, :] <= pos[:, None]
    ks = np.broadcast_to(np.asarray(ks, dtype=np.float64), (G * D,))
    vs = np.broadcast_to(np.asarray(vs, dtype=np.float64), (G * D,))
    sc = 1.0 / np.sqrt(D)
    for h in range(H):
        g = h // (H // G)
        # q . k = sum_j (q_j ks_j)(k_j / ks_j): each K channel's scale folded into q before q's
        # per-head quantization keeps the score one integer dot product.
        qh = q[:, h * D:(h + 1) * D] * ks[g * D:(g + 1) * D][None, :]
        amax = np.abs(qh).max(axis=1)
        qs = np.where(amax > 0, amax / q_max, 1.0)
        q8 = np.clip(np.rint(qh / qs[:, None]), -q_max, q_max)
        score = (q8 @ kq[:, g * D:(g + 1) * D].T) * (qs[:, None] * sc)
        score = np.where(mask, score, -np.inf)
        wgt = np.rint(np.exp(score - score.max(axis=1, keepdims=True)) * p_max)
        z = wgt.sum(axis=1, keepdims=True)
        out[:, h * D:(h + 1) * D] = (wgt @ vq[:, g * D:(g + 1) * D]) * vs[g * D:(g + 1) * D] / z
    return out


# ----------------------------------------------------------------------------------------------


def read_questions(path):
    with open(path) as f:
        return [json.loads(line)["turns"][0] for line in f if line.strip()]


def hexf(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def f32_scale(amax):
    """amax / 127 rounded to f32; an all-zero channel gets scale 1 (it stores zeros anyway)."""
    return np.where(amax > 0, amax / 127, 1.0).astype(np.float32).astype(np.float64)


def calibrate(m, tok, questions, tables, n_prompts=16):
    """Per layer: (max |K| after RoPE, max |V|) per channel of the float32 model over the
    calibration prompts (chat-formatted prompt tokens only); kv_scales_of makes scales of them."""
    n = m.kv_heads * m.head_dim
    rec = [[np.zeros(n), np.zeros(n)] for _ in m.layers]
    fl = Emulated(m, SCHEMES["float32"], None)
    for i in CALIB_LINES[n_prompts]:
        fl.forward(chat_prompt(tok, questions[i]), tables, record_kv=rec)
    return rec


def kv_scales_of(maxima, granularity, headroom, G, D):
    """One layer's (K, V) scales from its per-channel maxima: scalars for 'layer', vectors of
    G*D otherwise (a head's scale repeated over its channels)."""
    k, v = (a * headroom for a in maxima)
    if granularity == "layer":
        return float(f32_scale(k.max())), float(f32_scale(v.max()))
    if granularity == "head":
        return tuple(f32_scale(np.repeat(a.reshape(G, D).max(axis=1), D)) for a in (k, v))
    if granularity == "pair":  # adjacent pairs (llama.cpp's RoPE convention)
        k = np.repeat(np.sqrt(k[0::2] ** 2 + k[1::2] ** 2), 2)
    return f32_scale(k), f32_scale(v)


def cmd_measure(args):
    m = Model(args.model)
    tok = tokenizer_of(m)
    qs = read_questions(args.questions)
    tables = m.rope_tables(4096)
    names = args.schemes.split(",")
    kv = {c: calibrate(m, tok, qs, tables, c) for c in sorted({SCHEMES[n].calib for n in names})}
    emus = {n: Emulated(m, SCHEMES[n], kv[SCHEMES[n].calib]) for n in names}
    agree = {n: 0 for n in names}
    total = 0
    for p in range(args.prompts):
        prompt = chat_prompt(tok, qs[p * EVAL_STRIDE])
        gen = generate(m, prompt, args.tokens, tables)
        seq = prompt + gen[:-1]
        for n, e in emus.items():
            pred = np.argmax(e.forward(seq, tables, logits_from=len(prompt) - 1), axis=1)
            agree[n] += int(np.sum(pred == np.array(gen)))
        total += len(gen)
        print(f"prompt {p}: " + " ".join(f"{n}={agree[n] / total:.4f}" for n in names),
              file=sys.stderr, flush=True)
    for n in names:
        print(f"{n}\t{agree[n]}/{total}\t{100.0 * agree[n] / total:.1f}%")


def cmd_calibrate(args):
    m = Model(args.model)
    tables = m.rope_tables(4096)
    rec = calibrate(m, tokenizer_of(m), read_questions(args.questions), tables)
    for l, (k, v) in enumerate(kv_scales_of(r, "layer", 1.0, m.kv_heads, m.head_dim) for r in rec):
        print(f"{l} {hexf(k):08x} {hexf(v):08x}  # {k:.9g} {v:.9g}")


def cmd_generate(args):
    """Prompt ids and the float32 model's greedy continuation, one line per prompt."""
    m = Model(args.model)
    tok = tokenizer_of(m)
    qs = read_questions(args.questions)
    tables = m.rope_tables(4096)
    for p in range(args.first):
        prompt = chat_prompt(tok, qs[p * EVAL_STRIDE])
        gen = generate(m, prompt, args.tokens, tables)
        ids = " ".join(map(str, prompt)), " ".join(map(str, gen))
        print(f"{p * EVAL_STRIDE} | {ids[0]} | {ids[1]}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["measure", "calibrate", "generate"])
    ap.add_argument("model")
    ap.add_argument("questions")
    ap.add_argument("--prompts", type=int, default=60)
    ap.add_argument("--first", type=int, default=4)
    ap.add_argument("--tokens", type=int, default=32)
    ap.add_argument("--schemes", default=",".join(SCHEMES))
    args = ap.parse_args()
    {"measure": cmd_measure, "calibrate": cmd_calibrate, "generate": cmd_generate}[args.command](
        args)


if __name__ == "__main__":
    main()
