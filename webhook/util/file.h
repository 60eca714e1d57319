#pragma once
// Whole-file reads with a size limit named in the error.
#include <cstddef>
#include <filesystem>
#include <string>

#include "util/result.h"

namespace driftgate {

Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace driftgate
