#include "cli/shard.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/core.h>

#include "sim/error.h"

namespace lockstep::cli {
namespace {

bool parse_int(const std::string& text, int& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

std::string ShardSpec::label() const {
  return fmt::format("{}/{}", index, count);
}

ShardSpec parse_shard(const std::string& text, const std::string& option) {
  const auto slash = text.find('/');
  ShardSpec s;
  if (slash == std::string::npos || !parse_int(text.substr(0, slash), s.index) ||
      !parse_int(text.substr(slash + 1), s.count)) {
    throw InputError(
        fmt::format("{} must be I/M (shard I of M, e.g. 0/4), got '{}'", option, text));
  }
  if (s.count < 1) {
    throw InputError(fmt::format("{} {}: the shard count M must be >= 1", option, text));
  }
  if (s.index < 0 || s.index >= s.count) {
    throw InputError(
        fmt::format("{} {}: the shard index I must be 0..{} (shards are numbered from 0)", option,
                    text, s.count - 1));
  }
  return s;
}

void check_shard_set(const std::vector<ShardSpec>& shards,
                     const std::vector<std::string>& sources) {
  if (shards.empty()) throw InputError("merge needs at least one shard file");
  const int count = shards.front().count;
  std::vector<std::string> seen(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < shards.size(); ++i) {
    if (shards[i].count != count) {
      throw InputError(
          fmt::format("{} is shard {} but {} is shard {}: all shards must split the "
                      "work into the same number M",
                      sources[i], shards[i].label(), sources.front(), shards.front().label()));
    }
    auto& slot = seen[static_cast<std::size_t>(shards[i].index)];
    if (!slot.empty()) {
      throw InputError(
          fmt::format("shard {} given twice: {} and {}", shards[i].label(), slot, sources[i]));
    }
    slot = sources[i];
  }
  std::string missing;
  int missing_count = 0;
  for (int i = 0; i < count; ++i) {
    if (!seen[static_cast<std::size_t>(i)].empty()) continue;
    missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", i, count);
    ++missing_count;
  }
  if (missing_count > 0) {
    throw InputError(fmt::format("incomplete shard set: missing shard{} {} ({} of {} given)",
                                 missing_count > 1 ? "s" : "", missing, shards.size(), count));
  }
}

int for_each_line(const std::string& text, const std::string& source,
                  const std::function<void(int, const std::string&)>& parse) {
  std::istringstream in(text);
  std::string line;
  int number = 0;
  try {
    while (std::getline(in, line)) parse(++number, line);
  } catch (const std::exception& e) {
    throw InputError(fmt::format("{}:{}: {}", source, number, e.what()));
  }
  return number;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace lockstep::cli
