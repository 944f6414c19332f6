#pragma once
// Random identifiers. Thread-safe: each thread has its own generator, seeded from the OS.

#include <cstdint>
#include <string>

namespace tern {

// A random (version 4) UUID in lowercase, 36 characters.
std::string new_uuid();
// 64 random bits.
uint64_t random_u64();

}  // namespace tern
