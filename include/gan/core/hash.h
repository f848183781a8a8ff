// SplitMix64 (Steele, Lea and Flood, 2014) as a hash: counter-based
// seeds and random bits that depend only on their inputs, not on how many
// numbers were drawn before or on which thread draws them. Epoch
// permutations, per-rank seeds and dropout masks are made from it.
#pragma once

#include <cstdint>

namespace gan {

// SplitMix64's output function: a well-mixed 64-bit value of x.
inline uint64_t splitmix64_mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// SplitMix64's increment.
constexpr uint64_t kSplitMix64Gamma = 0x9e3779b97f4a7c15ull;

// The value SplitMix64 yields from state x: unrelated values for nearby x.
inline uint64_t splitmix64(uint64_t x) {
  return splitmix64_mix(x + kSplitMix64Gamma);
}

}  // namespace gan
