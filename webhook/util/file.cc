#include "util/file.h"

#include <fstream>
#include <sstream>

namespace driftgate {

Result<std::string> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error{path.string() + ": " + ec.message()};
  if (size > max_bytes)
    return Error{path.string() + ": file is larger than the limit of " + std::to_string(max_bytes) + " bytes"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path.string() + ": cannot be read"};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace driftgate
