#!/usr/bin/python3
"""gan against PyTorch on the same nets, side by side, in one run.

    bench/run.sh [--rounds 3] [--seconds 10] [--threads 2] [--cases ...]

Builds gan's benchmark runner (in build/, as scripts/build.sh does), then, for each case,
runs gan and the PyTorch twin (bench/pytorch_twin.py) alternately, each
round in fresh processes, so that a slow spell of the machine hits both.
Prints a table of median images/s, the ratio gan / PyTorch, the achieved
GFLOP/s from the FLOP count of the case (see flops_per_image) and that as
a share of the sgemm peak measured in the same run, and the peak resident
memory of each; writes the same as JSON (--json, default
bench/results/latest.json).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
CASES = ["mlp-train", "mlp-train-bf16", "dcgan1-train", "dcgan3-train", "mlp-sample",
         "dcgan3-sample", "data"]


# ----------------------------------------------------------- FLOP counts --
# Multiply-adds count 2 FLOPs; element-wise work (activations, dropout,
# batch norm, the optimiser) is not counted: the figure is what the matrix
# products and convolutions must do.


def dense(inputs, outputs):
    return 2 * inputs * outputs


def paper_mlp():
    """Forward FLOPs per example of G and D and of their first layers."""
    g = [dense(100, 1200), dense(1200, 1200), dense(1200, 784)]
    d = [dense(784, 1200), dense(240, 1200), dense(240, 1)]
    return sum(g), g[0], sum(d), d[0]


def dcgan32(channels, width=64, latent=100):
    def conv(cin, cout, out_side, k=4):
        return 2 * cin * cout * k * k * out_side * out_side

    def deconv(cin, cout, in_side, k=4):
        return 2 * cin * cout * k * k * in_side * in_side

    w = width
    g = [deconv(latent, 4 * w, 1), deconv(4 * w, 2 * w, 4),
         deconv(2 * w, w, 8), deconv(w, channels, 16)]
    d = [conv(channels, w, 16), conv(w, 2 * w, 8), conv(2 * w, 4 * w, 4),
         dense(4 * w * 16, 1)]
    return sum(g), g[0], sum(d), d[0]


def train_flops(g, g_first, d, d_first):
    """FLOPs per training image of one step of Algorithm 1 (k = 1).

    Backward costs one forward for the weight gradients plus one for the
    input gradients, except the first layer's input gradient, which nobody
    needs. D's step: G forward (no graph), D forward and backward on the
    real and the fake batch. G's step: G and D forward, D's input gradients
    only (its weights are frozen), G's backward.
    """
    d_step = g + 2 * (d + d + (d - d_first))
    g_step = g + d + d + g + (g - g_first)
    return d_step + g_step


def flops_per_image(case):
    if case in ("mlp-train", "mlp-train-bf16"):
        return train_flops(*paper_mlp())
    if case in ("dcgan1-train", "dcgan3-train"):
        return train_flops(*dcgan32(int(case[5])))
    if case == "mlp-sample":
        return paper_mlp()[0]
    if case == "dcgan3-sample":
        return dcgan32(3)[0]
    return 0


# --------------------------------------------------------------- running --


def build():
    subprocess.run(["cmake", "-S", ROOT, "-B", BUILD,
                    "-DCMAKE_BUILD_TYPE=Release", "-DGAN_BUILD_BENCHMARKS=ON"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", BUILD, "-j2", "--target", "gan_case"],
                   check=True)


def run(command):
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def gan_command(case, args):
    return [os.path.join(BUILD, "bench", "gan_case"), "--case", case,
            "--threads", str(args.threads), "--seconds", str(args.seconds)]


def twin_command(case, args):
    # gan's bf16 mode is measured against PyTorch's float32 step.
    if case == "mlp-train-bf16":
        case = "mlp-train"
    return [sys.executable, os.path.join(ROOT, "bench", "pytorch_twin.py"),
            "--case", case, "--threads", str(args.threads), "--seconds",
            str(args.seconds)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cases", nargs="+", default=CASES, choices=CASES)
    parser.add_argument("--json", default=os.path.join(
        ROOT, "bench", "results", "latest.json"))
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()

    if not args.no_build:
        build()

    first = run(gan_command("sgemm", args))
    peaks = [first["gflops"]]
    blas = first.get("blas", "")
    results = {}
    for case in args.cases:
        runs = {"gan": [], "pytorch": []}
        for r in range(args.rounds):
            # Alternate who goes first, so neither always runs warm.
            order = ["gan", "pytorch"] if r % 2 == 0 else ["pytorch", "gan"]
            for tool in order:
                make = gan_command if tool == "gan" else twin_command
                runs[tool].append(run(make(case, args)))
                print(f"  {case:14s} {tool:8s} round {r + 1}: "
                      f"{runs[tool][-1]['images_per_second']:9.1f} images/s",
                      file=sys.stderr)
        results[case] = runs
    peaks.append(run(gan_command("sgemm", args))["gflops"])
    peak = max(peaks)

    rows = []
    for case, runs in results.items():
        row = {"case": case, "flops_per_image": flops_per_image(case)}
        for tool, samples in runs.items():
            rates = [s["images_per_second"] for s in samples]
            row[tool] = {
                "images_per_second": statistics.median(rates),
                "min": min(rates),
                "max": max(rates),
                "peak_rss_mib": max(s["peak_rss_mib"] for s in samples),
            }
            gflops = row[tool]["images_per_second"] * row["flops_per_image"] / 1e9
            row[tool]["gflops"] = gflops
            row[tool]["share_of_peak"] = gflops / peak if peak else 0
        row["ratio"] = row["gan"]["images_per_second"] / \
            row["pytorch"]["images_per_second"]
        rows.append(row)

    header = (f"{'case':14s} {'gan img/s':>10s} {'torch img/s':>11s} "
              f"{'ratio':>6s} {'gan GF/s':>9s} {'% peak':>7s} "
              f"{'torch GF/s':>10s} {'gan MiB':>8s} {'torch MiB':>9s}")
    print(f"sgemm peak {peak:.1f} GFLOP/s ({args.threads} threads; "
          f"runs of {args.seconds:g} s, median of {args.rounds})")
    print(f"BLAS: {blas}")
    print(header)
    for row in rows:
        g, t = row["gan"], row["pytorch"]
        print(f"{row['case']:14s} {g['images_per_second']:10.1f} "
              f"{t['images_per_second']:11.1f} {row['ratio']:6.2f} "
              f"{g['gflops']:9.1f} {100 * g['share_of_peak']:6.1f}% "
              f"{t['gflops']:10.1f} {g['peak_rss_mib']:8.0f} "
              f"{t['peak_rss_mib']:9.0f}")

    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M:%S"),
                   "machine": platform.processor() or platform.machine(),
                   "cpus": os.cpu_count(), "threads": args.threads,
                   "seconds": args.seconds, "rounds": args.rounds,
                   "sgemm_peak_gflops": peak, "blas": blas,
                   "cases": rows}, f, indent=2)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
