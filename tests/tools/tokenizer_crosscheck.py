#!/usr/bin/env python3
"""Cross-checks `lockstep tokenize` against an independent tokenizer, id for id.

The reference is PyPI `tokenizers`, built from the SAME vocabulary and merges, read out of the
GGUF file with PyPI `gguf`, configured as SmolLM2's published tokenizer.json: a BPE model (no
unk token, no byte fallback, merges not ignored), pre-tokenizer Sequence[Digits(individual
digits), ByteLevel(add_prefix_space=False)], the CONTROL tokens as special added tokens, and
the ByteLevel decoder. Chat prompts are rendered from the file's own tokenizer.chat_template
by jinja2 (as transformers' apply_chat_template does), so lockstep's fixed formatter is
checked too.

Usage: tokenizer_crosscheck.py GGUF QUESTIONS_JSONL PLAIN_JSONL CHAT_JSONL
  PLAIN_JSONL / CHAT_JSONL: the output of
  `lockstep tokenize --model GGUF --specbench QUESTIONS_JSONL --json --parse-specials`
  (and with --chat instead of --parse-specials).
QUESTIONS_JSONL is SpecBench's question.jsonl or any file of that shape (one {"turns": [...]}
per line; tests/data/tokenizer_edge_cases.jsonl holds Unicode whitespace, digits of other
scripts, contractions, emoji sequences and specials written as text).
Checks, for every record's first turn (turns[0]): identical ids; lockstep's decoding gives
the text back; the reference's decoding gives it back. Every difference is printed with the
prompt's index, its text and the first differing position. Exit 1 on any difference.
"""
import json
import sys

import gguf
import jinja2.sandbox
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

CONTROL = 3  # GGUF token_type of special tokens


def field(reader, key):
    f = reader.fields.get(key)
    if f is None:
        sys.exit(f"crosscheck: {key} missing from the GGUF file")
    return f.contents()


def reference_tokenizer(reader):
    tokens = field(reader, "tokenizer.ggml.tokens")
    merges = [tuple(m.split(" ")) for m in field(reader, "tokenizer.ggml.merges")]
    types = field(reader, "tokenizer.ggml.token_type")
    assert field(reader, "tokenizer.ggml.model") == "gpt2"
    assert field(reader, "tokenizer.ggml.pre") == "smollm"
    vocab = {token: i for i, token in enumerate(tokens)}
    bpe = models.BPE(vocab=vocab, merges=merges, dropout=None, unk_token=None,
                     fuse_unk=False, byte_fallback=False, ignore_merges=False)
    tok = Tokenizer(bpe)
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    specials = [AddedToken(tokens[i], special=True, normalized=False)
                for i, kind in enumerate(types) if kind == CONTROL]
    tok.add_special_tokens(specials)
    for special in specials:  # added tokens must keep their vocabulary ids
        assert tok.token_to_id(special.content) == vocab[special.content]
    return tok


def render_chat(template_text, user_text):
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    return env.from_string(template_text).render(
        messages=[{"role": "user", "content": user_text}], add_generation_prompt=True)


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def compare(label, index, text, ours, tok):
    """Returns the number of problems found with one prompt, printing each."""
    problems = 0
    expected = tok.encode(text, add_special_tokens=False).ids
    shown = json.dumps(text[:300], ensure_ascii=False)
    if ours["ids"] != expected:
        at = first_difference(ours["ids"], expected)
        print(f"MISMATCH {label} #{index} at token {at}: text {shown}")
        print(f"  lockstep  {ours['ids'][max(0, at - 3):at + 5]} "
              f"{ours['pieces'][max(0, at - 3):at + 5]}")
        print(f"  tokenizers {expected[max(0, at - 3):at + 5]} "
              f"{[tok.id_to_token(i) for i in expected[max(0, at - 3):at + 5]]}")
        problems += 1
    if ours["decoded"] != text:
        at = first_difference(ours["decoded"], text)
        print(f"ROUND TRIP {label} #{index}: lockstep's decode differs at character {at}: {shown}")
        problems += 1
    if tok.decode(expected, skip_special_tokens=False) != text:
        print(f"ROUND TRIP {label} #{index}: the reference's own decode differs: {shown}")
        problems += 1
    return problems


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    gguf_path, questions_path, plain_path, chat_path = sys.argv[1:]
    reader = gguf.GGUFReader(gguf_path)
    tok = reference_tokenizer(reader)
    template_text = field(reader, "tokenizer.chat_template")
    with open(questions_path, encoding="utf-8") as f:
        questions = [json.loads(line)["turns"][0] for line in f if line.strip()]
    runs = {"plain": (plain_path, lambda q: q), "chat": (chat_path,
                                                          lambda q: render_chat(template_text, q))}
    problems = 0
    for label, (path, make_text) in runs.items():
        with open(path, encoding="utf-8") as f:
            ours = [json.loads(line) for line in f if line.strip()]
        if len(ours) != len(questions):
            print(f"MISMATCH {label}: lockstep printed {len(ours)} prompts, "
                  f"the file has {len(questions)}")
            problems += 1
            continue
        tokens = 0
        for index, (question, line) in enumerate(zip(questions, ours)):
            text = make_text(question)
            if line["index"] != index or line["text"] != text:
                print(f"MISMATCH {label} #{index}: lockstep tokenized another text: "
                      f"{json.dumps(line['text'][:200], ensure_ascii=False)}")
                problems += 1
                continue
            problems += compare(label, index, text, line, tok)
            tokens += len(line["ids"])
        print(f"{label}: {len(questions)} first turns of {questions_path.split('/')[-1]}, "
              f"{tokens} tokens compared")
    if problems:
        print(f"FAIL: {problems} difference(s)")
        return 1
    print("OK: identical ids and exact round trips on every prompt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
