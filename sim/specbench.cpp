// SpecBench records (sim/specbench.h) and the question list scenario.h offers on top of them.
#include "sim/specbench.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "sim/error.h"
#include "sim/scenario.h"

namespace lockstep::sim {
namespace {

using nlohmann::json;

void check_slice(int offset, int count, int stride) {
  if (offset < 0 || count < 1 || stride < 1) {
    throw InputError("SpecBench: offset must be >= 0, count >= 1 and stride >= 1, got offset " +
                     std::to_string(offset) + ", count " + std::to_string(count) + ", stride " +
                     std::to_string(stride));
  }
}

std::ifstream open_questions(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError("cannot read SpecBench questions '" + path + "': it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError("cannot read SpecBench questions '" + path + "': " + std::strerror(errno));
  }
  return in;
}

// One line as a record; `bad` throws with the file and line.
template <typename Bad>
SpecBenchRecord parse_record(const std::string& line, const Bad& bad) {
  json record;
  try {
    record = json::parse(line);
  } catch (const json::parse_error& e) {
    std::string message = e.what();
    if (auto pos = message.find("] "); pos != std::string::npos) message = message.substr(pos + 2);
    bad("malformed JSON: " + message);
  }
  if (!record.is_object() || !record.contains("turns") || !record["turns"].is_array() ||
      record["turns"].empty() || !record["turns"][0].is_string()) {
    bad("expected an object with a non-empty 'turns' list of strings");
  }
  SpecBenchRecord r;
  r.question = record["turns"][0].get<std::string>();
  if (record.contains("category")) {
    if (!record["category"].is_string()) bad("'category' must be a string");
    r.category = record["category"].get<std::string>();
  }
  return r;
}

}  // namespace

std::vector<SpecBenchRecord> read_specbench_records(const std::string& path, int offset, int count,
                                                    int stride) {
  check_slice(offset, count, stride);
  std::ifstream in = open_questions(path);
  const std::int64_t last =
      static_cast<std::int64_t>(offset) + static_cast<std::int64_t>(count - 1) * stride;
  std::vector<SpecBenchRecord> records;
  std::int64_t index = 0;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines
    auto bad = [&](const std::string& why) {
      throw InputError(path + ": line " + std::to_string(line_no) + ": " + why);
    };
    SpecBenchRecord r = parse_record(line, bad);
    if (index >= offset && index <= last && (index - offset) % stride == 0) {
      r.index = static_cast<int>(index);
      records.push_back(std::move(r));
    }
    ++index;
  }
  if (in.bad()) throw InputError("cannot read SpecBench questions '" + path + "': read error");
  if (last >= index) {
    throw InputError(path + " has " + std::to_string(index) + " records, but offset " +
                     std::to_string(offset) + ", count " + std::to_string(count) + " and stride " +
                     std::to_string(stride) + " reach record " + std::to_string(last) +
                     " (counting from 0)");
  }
  return records;
}

std::vector<std::string> read_specbench_questions(const std::string& path, int offset, int count,
                                                  int stride) {
  std::vector<std::string> questions;
  for (auto& r : read_specbench_records(path, offset, count, stride))
    questions.push_back(std::move(r.question));
  return questions;
}

}  // namespace lockstep::sim
