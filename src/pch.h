// Precompiled header for the library, the command and the tests. libtorch's
// headers dominate compile time, so the parts gan uses are parsed once per
// build. It deliberately avoids <torch/torch.h>: the whole API makes every
// file slower to compile (about 19 s against 11 s for a typical one here).
#pragma once

#include <ATen/ATen.h>
#include <torch/cuda.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>
