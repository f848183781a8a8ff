#!/usr/bin/python3
"""The PyTorch side of gan's side-by-side benchmark.

Runs one benchmark case with PyTorch 1.13 (Debian's python3-torch, the same
libtorch gan links) on nets that match gan's layer for layer: the paper's
MLP pair (maxout D with dropout, SGD with momentum and per-step decay) and
DCGAN at 32 x 32 (batch norm, Adam). The training step is the same
algorithm gan runs: fakes made without a graph for D's update, D's
parameters frozen during G's, losses from logits.

Prints one JSON object on stdout: case, images_per_second, seconds, steps,
peak_rss_mib. bench/compare.py calls it alternately with gan's runner;
it can be run alone too:

    /usr/bin/python3 bench/pytorch_twin.py --case mlp-train --threads 2
"""

import argparse
import gzip
import json
import math
import os
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

FASHION = "/usr/share/datasets/fashion-mnist"


# ---------------------------------------------------------------- data --


def read_idx_images(path):
    """uint8 [N, 1, 28, 28] from an IDX image file (plain or gzip)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    count = int.from_bytes(raw[4:8], "big")
    rows = int.from_bytes(raw[8:12], "big")
    cols = int.from_bytes(raw[12:16], "big")
    pixels = torch.frombuffer(bytearray(raw[16:]), dtype=torch.uint8)
    return pixels.view(count, 1, rows, cols)


def fashion_train(limit=50000):
    for name in ("train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"):
        path = os.path.join(FASHION, name)
        if os.path.exists(path):
            return read_idx_images(path)[:limit].contiguous()
    raise SystemExit(f"no Fashion-MNIST training images under {FASHION}")


def synthetic_images(n, channels, size, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, channels, size, size), generator=g,
                         dtype=torch.uint8)


# ---------------------------------------------------------------- nets --


class Maxout(nn.Module):
    def __init__(self, inputs, units, pieces):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = nn.Linear(inputs, units * pieces)

    def forward(self, x):
        z = self.linear(x)
        return z.view(x.size(0), self.units, self.pieces).max(dim=2)[0]


class PaperG(nn.Module):
    def __init__(self, latent=100, hidden=(1200, 1200), out=784):
        super().__init__()
        widths = (latent,) + tuple(hidden)
        self.hidden = nn.ModuleList(
            nn.Linear(a, b) for a, b in zip(widths, widths[1:]))
        self.out = nn.Linear(widths[-1], out)
        for m in list(self.hidden) + [self.out]:
            nn.init.uniform_(m.weight, -0.05, 0.05)
            nn.init.zeros_(m.bias)

    def forward(self, z):
        h = z
        for layer in self.hidden:
            h = F.relu(layer(h))
        return torch.sigmoid(self.out(h)).view(-1, 1, 28, 28)


class PaperD(nn.Module):
    def __init__(self, inputs=784, units=(240, 240), pieces=5):
        super().__init__()
        widths = (inputs,) + tuple(units)
        self.layers = nn.ModuleList(
            Maxout(a, b, pieces) for a, b in zip(widths, widths[1:]))
        self.out = nn.Linear(widths[-1], 1)
        for m in [l.linear for l in self.layers] + [self.out]:
            nn.init.uniform_(m.weight, -0.005, 0.005)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        h = F.dropout(x.flatten(1), 0.2, self.training)
        for layer in self.layers:
            h = F.dropout(layer(h), 0.5, self.training)
        return self.out(h).squeeze(1)


class DcganG(nn.Module):
    def __init__(self, latent=100, channels=3, width=64):
        super().__init__()
        w = width
        self.net = nn.Sequential(
            nn.ConvTranspose2d(latent, w * 4, 4, 1, 0, bias=False),
            nn.BatchNorm2d(w * 4), nn.ReLU(True),
            nn.ConvTranspose2d(w * 4, w * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w * 2), nn.ReLU(True),
            nn.ConvTranspose2d(w * 2, w, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w), nn.ReLU(True),
            nn.ConvTranspose2d(w, channels, 4, 2, 1, bias=True),
            nn.Tanh())
        init_dcgan(self)

    def forward(self, z):
        return self.net(z.view(z.size(0), z.size(1), 1, 1))


class DcganD(nn.Module):
    def __init__(self, channels=3, width=64):
        super().__init__()
        w = width
        self.net = nn.Sequential(
            nn.Conv2d(channels, w, 4, 2, 1, bias=True),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(w, w * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w * 2), nn.LeakyReLU(0.2, True),
            nn.Conv2d(w * 2, w * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w * 4), nn.LeakyReLU(0.2, True),
            nn.Flatten(), nn.Linear(w * 4 * 16, 1))
        init_dcgan(self)

    def forward(self, x):
        return self.net(x).squeeze(1)


def init_dcgan(module):
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


# ------------------------------------------------------------- training --


class Setup:
    """Nets, optimisers and data for one training case."""

    def __init__(self, case):
        if case == "mlp-train":
            self.g, self.d = PaperG(), PaperD()
            self.batch, self.latent = 100, 100
            self.images = fashion_train()
            self.scale = lambda u8: u8.float().div_(255.0)
            self.prior = lambda n: torch.rand(n, 100).mul_(
                2 * math.sqrt(3)).sub_(math.sqrt(3))
            sgd = lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5)
            self.g_opt, self.d_opt = sgd(self.g.parameters()), sgd(
                self.d.parameters())
            self.decay = 1.000004
        else:
            channels = 1 if case == "dcgan1-train" else 3
            self.g, self.d = DcganG(channels=channels), DcganD(channels)
            self.batch, self.latent = 64, 100
            self.images = synthetic_images(50000, channels, 32, seed=1)
            self.scale = lambda u8: u8.float().div_(127.5).sub_(1.0)
            self.prior = lambda n: torch.randn(n, 100)
            adam = lambda p: torch.optim.Adam(p, lr=2e-4, betas=(0.5, 0.999))
            self.g_opt, self.d_opt = adam(self.g.parameters()), adam(
                self.d.parameters())
            self.decay = 1.0
        self.g.train()
        self.d.train()
        self.order = torch.randperm(self.images.size(0))
        self.cursor = 0

    def real_batch(self):
        n = self.images.size(0)
        if self.cursor + self.batch > n:
            self.order = torch.randperm(n)
            self.cursor = 0
        idx = self.order[self.cursor:self.cursor + self.batch]
        self.cursor += self.batch
        return self.scale(self.images.index_select(0, idx))

    def step(self):
        for opt in (self.g_opt, self.d_opt):
            for group in opt.param_groups:
                group["lr"] /= self.decay
        # D: real labelled 1, fake 0, fakes made without a graph.
        real = self.real_batch()
        with torch.no_grad():
            fake = self.g(self.prior(self.batch))
        real_logits = self.d(real)
        fake_logits = self.d(fake)
        loss_d = F.softplus(-real_logits).mean() + \
            F.softplus(fake_logits).mean()
        self.d_opt.zero_grad(set_to_none=True)
        loss_d.backward()
        self.d_opt.step()
        # G: non-saturating loss, D frozen.
        for p in self.d.parameters():
            p.requires_grad_(False)
        loss_g = F.softplus(-self.d(self.g(self.prior(self.batch)))).mean()
        self.g_opt.zero_grad(set_to_none=True)
        loss_g.backward()
        self.g_opt.step()
        for p in self.d.parameters():
            p.requires_grad_(True)
        # What a training loop logs: the step's numbers as Python floats.
        return loss_d.item(), loss_g.item(), \
            torch.sigmoid(real_logits.detach()).mean().item(), \
            torch.sigmoid(fake_logits.detach()).mean().item()


def timed(run_one, warmup, seconds, min_steps):
    """Runs `run_one` after `warmup` calls until both `seconds` and
    `min_steps` are reached. Returns (steps, elapsed seconds)."""
    for _ in range(warmup):
        run_one()
    steps, start = 0, time.perf_counter()
    while True:
        run_one()
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and steps >= min_steps:
            return steps, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", required=True, choices=[
        "mlp-train", "dcgan1-train", "dcgan3-train", "mlp-sample",
        "dcgan3-sample", "data"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--sample-batch", type=int, default=1000)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    if args.case.endswith("-train"):
        setup = Setup(args.case)
        steps, seconds = timed(setup.step, args.warmup, args.seconds, 10)
        images = steps * setup.batch
    elif args.case.endswith("-sample"):
        g = PaperG() if args.case == "mlp-sample" else DcganG(channels=3)
        g.eval()
        n = args.sample_batch

        def sample():
            with torch.no_grad():
                x = g(torch.randn(n, 100))
            return x
        steps, seconds = timed(sample, 2, args.seconds, 3)
        images = steps * n
    else:  # the data pipeline: shuffled, scaled minibatches of 100
        data = fashion_train()
        loader = torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(data), batch_size=100,
            shuffle=True, drop_last=True)
        batches = iter(loader)

        def next_batch():
            nonlocal batches
            try:
                (u8,) = next(batches)
            except StopIteration:
                batches = iter(loader)
                (u8,) = next(batches)
            return u8.float().div_(255.0)
        steps, seconds = timed(next_batch, 5, args.seconds, 10)
        images = steps * 100

    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "tool": "pytorch",
        "case": args.case,
        "threads": args.threads,
        "steps": steps,
        "seconds": seconds,
        "images_per_second": images / seconds,
        "peak_rss_mib": peak_kib / 1024.0,
    }))


if __name__ == "__main__":
    main()
