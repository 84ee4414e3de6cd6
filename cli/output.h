// Writing result files so that a failure never leaves a half-written file under the final
// name: write to FILE.partial, then rename.
#pragma once

#include <string>

namespace lockstep::cli {

void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace lockstep::cli
