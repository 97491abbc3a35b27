#!/usr/bin/env python3
"""Hugging Face `tokenizers` reference for issue 9 item 4: the in-memory part of sentence ingestion that
org.pformer.datasets.bench.IngestionBenchmark times as `part=clean_tokenize`, on the same sample and the same
tokenizer.json files (the Java benchmark writes both under its work directory):

  LAVIS BlipCaptionProcessor.pre_caption cleaning (lower-case, punctuation to spaces, whitespace runs collapsed,
  at most 50 words), exact de-duplication, then in batches of 1,024 the P-Former WordPiece tokenizer (with
  [CLS]/[SEP], truncated to 32) and the LLM byte-level BPE (caption + "\\n", no specials, truncated to 32).

Usage: python ingestion_reference.py WORK_DIR [--repeats 3]
Prints one `RESULT part=clean_tokenize ...` line per repeat.
"""
import argparse
import os
import re
import time

import tokenizers
from tokenizers import Tokenizer

PUNCT = re.compile(r"([.!\"()*#:;~])")
SPACES = re.compile(r"\s{2,}")


def pre_caption(caption, max_words=50):
    caption = SPACES.sub(" ", PUNCT.sub(" ", caption.lower())).rstrip("\n").strip(" ")
    words = caption.split(" ")
    return " ".join(words[:max_words]) if len(words) > max_words else caption


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    with open(os.path.join(a.work, "sample.txt"), encoding="utf-8") as f:
        sample = [line.rstrip("\n") for line in f]
    wp = Tokenizer.from_file(os.path.join(a.work, "tokenizers", "pformer", "tokenizer.json"))
    wp.enable_truncation(32)
    bpe = Tokenizer.from_file(os.path.join(a.work, "tokenizers", "llm", "tokenizer.json"))
    bpe.enable_truncation(32)
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        seen, clean = set(), []
        for s in sample:
            c = pre_caption(s)
            if c and c not in seen:
                seen.add(c)
                clean.append(c)
        for i in range(0, len(clean), 1024):
            chunk = clean[i:i + 1024]
            wp.encode_batch(chunk)
            bpe.encode_batch([c + "\n" for c in chunk], add_special_tokens=False)
        seconds = time.perf_counter() - t0
        print(f"RESULT part=clean_tokenize sentences={len(sample)} kept={len(clean)} seconds={seconds:.4f} "
              f"sentences_per_s={len(sample) / seconds:.1f} tokenizers={tokenizers.__version__}", flush=True)


if __name__ == "__main__":
    main()
