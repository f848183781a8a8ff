#!/usr/bin/python3
"""Rebuilds a generator exported by `gan export` in PyTorch and runs it.

    rebuild_generator.py EXPORT_DIR Z.npy OUT.npy [--labels LABELS.npy]

EXPORT_DIR holds generator.json and generator.safetensors; Z.npy is float32
[N, Z], LABELS.npy int64 [N] (class-conditional generators only). Writes
G(z) as float32 [N, ...S] to OUT.npy. Uses only json, numpy and torch (no
safetensors package): it is the recipe of docs/export.md, run by the tests.
"""
import argparse
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "U8": "u1"}


def read_safetensors(path):
    """{name: tensor} from a safetensors file, with json and numpy only."""
    with open(path, "rb") as f:
        data = f.read()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    header.pop("__metadata__", None)
    start = 8 + length
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[start + begin:start + end],
                              dtype=DTYPES[entry["dtype"]])
        tensors[name] = torch.from_numpy(array.reshape(entry["shape"]).copy())
    return tensors


def make_layer(layer):
    """The torch.nn module for one entry of "layers"."""
    kind = layer["type"]
    if kind == "linear":
        return nn.Linear(layer["in_features"], layer["out_features"],
                         bias=layer["bias"])
    if kind == "conv_transpose2d":
        return nn.ConvTranspose2d(
            layer["in_channels"], layer["out_channels"],
            tuple(layer["kernel_size"]), stride=tuple(layer["stride"]),
            padding=tuple(layer["padding"]),
            output_padding=tuple(layer["output_padding"]),
            groups=layer["groups"], bias=layer["bias"],
            dilation=tuple(layer["dilation"]))
    if kind == "batch_norm2d":
        return nn.BatchNorm2d(layer["num_features"], eps=layer["eps"],
                              momentum=layer["momentum"],
                              affine=layer["affine"],
                              track_running_stats=layer["track_running_stats"])
    if kind == "group_norm":
        return nn.GroupNorm(layer["num_groups"], layer["num_channels"],
                            eps=layer["eps"], affine=layer["affine"])
    if kind == "reshape":
        return nn.Unflatten(1, tuple(layer["shape"][1:]))
    if kind == "relu":
        return nn.ReLU()
    if kind == "tanh":
        return nn.Tanh()
    if kind == "sigmoid":
        return nn.Sigmoid()
    raise ValueError(f"unknown layer type {kind!r}")


class Generator(nn.Module):
    """G(z, label): the one-hot class (if any) after z, then the layers."""

    def __init__(self, folder):
        super().__init__()
        with open(os.path.join(folder, "generator.json")) as f:
            self.description = json.load(f)
        assert self.description["format"] == "gan generator"
        assert self.description["version"] == 1
        self.num_classes = self.description["num_classes"]
        tensors = read_safetensors(
            os.path.join(folder, self.description["weights"]))
        layers = []
        for entry in self.description["layers"]:
            layer = make_layer(entry)
            # Each layer names its tensors by PyTorch's own state_dict keys.
            state = {key: tensors[name]
                     for key, name in entry.get("tensors", {}).items()}
            layer.load_state_dict(state, strict=True)
            layers.append(layer)
        self.net = nn.Sequential(*layers)
        self.eval()  # batch norm uses its running statistics

    def forward(self, z, labels=None):
        if self.num_classes > 0:
            one_hot = F.one_hot(labels, self.num_classes).to(z.dtype)
            z = torch.cat([z, one_hot], 1)
        return self.net(z)

    def sample_z(self, n):
        """z ~ the prior the generator was trained with."""
        prior = self.description["prior"]
        shape = (n, self.description["latent_dim"])
        if prior["kind"] == "normal":
            return torch.randn(shape)
        return torch.empty(shape).uniform_(prior["low"], prior["high"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("z")
    parser.add_argument("out")
    parser.add_argument("--labels")
    args = parser.parse_args()

    torch.set_num_threads(1)
    generator = Generator(args.folder)
    z = torch.from_numpy(np.load(args.z))
    labels = torch.from_numpy(np.load(args.labels)) if args.labels else None
    with torch.no_grad():
        out = generator(z, labels)
    np.save(args.out, out.numpy().astype(np.float32))


if __name__ == "__main__":
    main()
