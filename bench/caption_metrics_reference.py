#!/usr/bin/env python3
"""pycocoevalcap reference for issue 9 item 5: BLEU-1..4 (Bleu(4)), ROUGE-L (Rouge()) and CIDEr-D (Cider()) on
the tokenised input that org.pformer.metrics.caption.CaptionMetricsBenchmark writes with --input-out
(NoCaps-val size: 4,500 images x 10 references + 1 candidate).

Usage: python caption_metrics_reference.py INPUT.json [--passes 3]
Prints one `RESULT pass=i seconds=S bleu4=... rouge_l=... cider=...` line per pass.
"""
import argparse
import json
import time

from pycocoevalcap.bleu.bleu import Bleu
from pycocoevalcap.cider.cider import Cider
from pycocoevalcap.rouge.rouge import Rouge


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("--passes", type=int, default=3)
    a = ap.parse_args()
    with open(a.input, encoding="utf-8") as f:
        d = json.load(f)
    res = {i: [p] for i, p in enumerate(d["predictions"])}
    gts = {i: r for i, r in enumerate(d["references"])}
    for p in range(a.passes):
        t0 = time.perf_counter()
        bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
        rouge, _ = Rouge().compute_score(gts, res)
        cider, _ = Cider().compute_score(gts, res)
        seconds = time.perf_counter() - t0
        print(f"RESULT pass={p} seconds={seconds:.4f} bleu4={bleu[3]:.6f} rouge_l={rouge:.6f} cider={cider:.6f}",
              flush=True)


if __name__ == "__main__":
    main()
