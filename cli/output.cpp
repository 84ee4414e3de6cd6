#include "cli/output.h"

#include <filesystem>
#include <fstream>

#include "sim/error.h"

namespace lockstep::cli {

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError("cannot write '" + path + "'");
    out << content;
    if (!out.flush()) throw InputError("failed writing '" + path + "'");
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) throw InputError("cannot move '" + partial + "' to '" + path + "': " + ec.message());
}

}  // namespace lockstep::cli
