// SpecBench records (sim/specbench.h) and the question list scenario.h offers on top of them.
#include "sim/specbench.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

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

std::vector<SpecBenchRecord> read_specbench_all(const std::string& path) {
  std::ifstream in = open_questions(path);
  std::vector<SpecBenchRecord> records;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines
    auto bad = [&](const std::string& why) {
      throw InputError(path + ": line " + std::to_string(line_no) + ": " + why);
    };
    SpecBenchRecord r = parse_record(line, bad);
    r.index = static_cast<int>(records.size());
    records.push_back(std::move(r));
  }
  if (in.bad()) throw InputError("cannot read SpecBench questions '" + path + "': read error");
  return records;
}

std::vector<SpecBenchRecord> read_specbench_records(const std::string& path, int offset, int count,
                                                    int stride) {
  check_slice(offset, count, stride);
  std::vector<SpecBenchRecord> all = read_specbench_all(path);
  const std::int64_t last =
      static_cast<std::int64_t>(offset) + static_cast<std::int64_t>(count - 1) * stride;
  if (last >= static_cast<std::int64_t>(all.size())) {
    throw InputError(path + " has " + std::to_string(all.size()) + " records, but offset " +
                     std::to_string(offset) + ", count " + std::to_string(count) + " and stride " +
                     std::to_string(stride) + " reach record " + std::to_string(last) +
                     " (counting from 0)");
  }
  std::vector<SpecBenchRecord> records;
  for (int i = 0; i < count; ++i) records.push_back(std::move(all[offset + i * stride]));
  return records;
}

std::vector<SpecBenchRecord> read_specbench_source(const std::string& path,
                                                   const SpecBenchSource& source) {
  if (source.records.empty())
    return read_specbench_records(path, source.offset, source.count, source.stride);
  require(source.count == static_cast<int>(source.records.size()),
          "read_specbench_source: count equals the size of the record list");
  std::vector<SpecBenchRecord> all = read_specbench_all(path);
  std::vector<SpecBenchRecord> records;
  for (int index : source.records) {
    if (index < 0 || index >= static_cast<int>(all.size())) {
      throw InputError(path + " has " + std::to_string(all.size()) + " records; record " +
                       std::to_string(index) + " does not exist (counting from 0)");
    }
    records.push_back(all[index]);
  }
  return records;
}

std::vector<int> spread_over_categories(const std::vector<SpecBenchRecord>& all, int per_category) {
  if (per_category < 1)
    throw InputError("per category: must be >= 1, got " + std::to_string(per_category));
  std::map<std::string, std::vector<int>> members;  // category -> its records, in file order
  for (const auto& r : all) {
    if (r.category.empty())
      throw InputError("SpecBench record " + std::to_string(r.index) + " has no category");
    members[r.category].push_back(r.index);
  }
  std::vector<int> picked;
  for (const auto& [category, indices] : members) {
    const auto size = static_cast<std::int64_t>(indices.size());
    if (size < per_category) {
      throw InputError("SpecBench category '" + category + "' has " + std::to_string(size) +
                       " records, fewer than the " + std::to_string(per_category) + " asked");
    }
    for (std::int64_t j = 0; j < per_category; ++j)
      picked.push_back(indices[static_cast<std::size_t>(j * size / per_category)]);
  }
  std::sort(picked.begin(), picked.end());
  return picked;
}

std::vector<std::string> read_specbench_questions(const std::string& path, int offset, int count,
                                                  int stride) {
  std::vector<std::string> questions;
  for (auto& r : read_specbench_records(path, offset, count, stride))
    questions.push_back(std::move(r.question));
  return questions;
}

}  // namespace lockstep::sim
