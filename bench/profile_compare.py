#!/usr/bin/env python3
"""Where the step time goes, ours against the reference: aggregates two libtorch profiler traces (chrome trace JSON)
by operator name -- calls per step and self time per step (an operator's time less that of the operators it called)
-- and prints the operators whose self time differs most, then the totals.

  java ... StepTimeBenchmark --model stage2 --warmup 50 --steps 30 --profile /tmp/ours.json
  python bench/step_time_reference.py --model stage2 ... --profile /tmp/ref.json
  python bench/profile_compare.py /tmp/ours.json /tmp/ref.json --steps 10 [--top 25]

Both sides record with the same profiler (DJL's JniUtils.startProfile is libtorch's autograd profiler, as
torch.profiler on the CPU), so the operator names match; time outside operators (JNI and Java, Python) is the
step time less the operators' self time.
"""
import argparse
import collections
import json
import sys


def events(path):
    with open(path) as f:
        data = json.load(f)
    rows = data["traceEvents"] if isinstance(data, dict) else data
    out = [e for e in rows if e.get("ph") == "X" and "dur" in e and e.get("cat", "cpu_op") in ("cpu_op", "operator", "")]
    if not out:
        sys.exit(f"{path}: no complete ('ph': 'X') operator events; expected a libtorch profiler chrome trace")
    return out


def aggregate(path):
    """name -> [calls, self microseconds]; and the summed self time."""
    by_thread = collections.defaultdict(list)
    for e in events(path):
        by_thread[e.get("tid")].append(e)
    stats = collections.defaultdict(lambda: [0, 0.0])
    for rows in by_thread.values():
        rows.sort(key=lambda e: (float(e["ts"]), -float(e["dur"])))
        stack = []  # (end, name)
        for e in rows:
            ts, dur = float(e["ts"]), float(e["dur"])
            while stack and stack[-1][0] <= ts:
                stack.pop()
            if stack:
                stats[stack[-1][1]][1] -= dur  # the parent's self time excludes its children
            stats[e["name"]][0] += 1
            stats[e["name"]][1] += dur
            stack.append((ts + dur, e["name"]))
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ours")
    ap.add_argument("reference")
    ap.add_argument("--steps", type=int, required=True, help="steps each trace holds (--profile-steps)")
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args()
    ours, ref = aggregate(a.ours), aggregate(a.reference)
    n = a.steps
    names = sorted(set(ours) | set(ref), key=lambda k: -abs(ours.get(k, [0, 0])[1] - ref.get(k, [0, 0])[1]))
    print(f"{'operator':44s} {'calls/step ours':>15s} {'ref':>7s} {'self ms/step ours':>18s} {'ref':>8s} {'diff':>8s}")
    for k in names[:a.top]:
        o, r = ours.get(k, [0, 0.0]), ref.get(k, [0, 0.0])
        print(f"{k[:44]:44s} {o[0] / n:15.1f} {r[0] / n:7.1f} {o[1] / n / 1e3:18.3f} {r[1] / n / 1e3:8.3f} "
              f"{(o[1] - r[1]) / n / 1e3:+8.3f}")
    for label, s in (("ours", ours), ("reference", ref)):
        print(f"total {label}: {sum(v[0] for v in s.values()) / n:.0f} operator calls/step, "
              f"{sum(v[1] for v in s.values()) / n / 1e3:.2f} ms/step self time in operators")


if __name__ == "__main__":
    main()
