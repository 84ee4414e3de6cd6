// The versioned golden files of the numerics (STYLE point 8): typed tokens, records, and the
// one reader, writer and comparison shared by test_numerics (tests/golden/numerics_v1.txt)
// and test_sampling (tests/golden/sampling_v1.txt).
//
// Format (one record a line; `#` starts a comment; blank lines ignored):
//   line 1:  lockstep-golden v1
//   record:  <function> <input token>... -> <output token>...
//   last:    end <number of records>
// Tokens carry their type: f:XXXXXXXX binary32 bits, d:XXXXXXXXXXXXXXXX binary64 bits,
// i:<decimal> signed integer, u:XXXXXXXXXXXXXXXX 64-bit unsigned (sim::hex64), s:<word>,
// t:<decimal>,<decimal>,... an integer list.
//
// The comparison fails, printing the case, the expected and the obtained tokens, when a record
// drifts, is missing from the file or is stale (in the file, no longer a case). With
// LOCKSTEP_GOLDEN_OUT=<path> it first writes the current records to <path>, for review.
#pragma once

#include <boost/test/unit_test.hpp>

#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sim/hash.h"

namespace lockstep::test::golden {

constexpr const char* kHeader = "lockstep-golden v1";

inline std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08" PRIx32, v);
  return buf;
}
inline std::string F(float x) {
  return "f:" + hex32(std::bit_cast<std::uint32_t>(x));
}
inline std::string D(double x) {
  return "d:" + sim::hex64(std::bit_cast<std::uint64_t>(x));
}
inline std::string I(std::int64_t v) {
  return "i:" + std::to_string(v);
}
inline std::string U(std::uint64_t v) {
  return "u:" + sim::hex64(v);
}
inline std::string S(const std::string& s) {
  return "s:" + s;
}
template <class T>
std::string L(const std::vector<T>& v) {
  std::string out = "t:";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out;
}

// Human-readable rendering of a token, for comments and failure messages.
inline std::string decode(const std::string& token) {
  char buf[64];
  if (token.rfind("f:", 0) == 0 && token.size() == 10) {
    const auto bits = static_cast<std::uint32_t>(std::stoul(token.substr(2), nullptr, 16));
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(std::bit_cast<float>(bits)));
    return buf;
  }
  if (token.rfind("d:", 0) == 0 && token.size() == 18) {
    const auto bits = static_cast<std::uint64_t>(std::stoull(token.substr(2), nullptr, 16));
    std::snprintf(buf, sizeof buf, "%.17g", std::bit_cast<double>(bits));
    return buf;
  }
  if (token.size() > 2 && token[1] == ':') return token.substr(2);
  return token;
}

struct Record {
  std::string fn;
  std::vector<std::string> in, out;
  std::string key() const {
    std::string k = fn;
    for (const auto& t : in) k += " " + t;
    return k;
  }
  std::string outputs() const {
    std::string s;
    for (const auto& t : out) s += (s.empty() ? "" : " ") + t;
    return s;
  }
  std::string readable_inputs() const {
    std::string s;
    for (const auto& t : in) s += (s.empty() ? "" : ", ") + decode(t);
    return fn + "(" + s + ")";
  }
  static std::string readable(const std::vector<std::string>& tokens) {
    std::string s;
    for (const auto& t : tokens) s += (s.empty() ? "" : ", ") + decode(t);
    return s;
  }
};

// One golden file: where it lives, the comment lines written under its header (each without
// the leading "# "), and which records get a readable "  # ..." rendering (all by default;
// never one of 160 characters or more).
struct File {
  std::string path;
  std::vector<std::string> description;
  std::function<bool(const Record&)> readable = [](const Record&) { return true; };
};

inline std::string format_record(const File& file, const Record& rec) {
  std::string line = rec.key() + " -> " + rec.outputs();
  const std::string human = Record::readable(rec.in) + " -> " + Record::readable(rec.out);
  if (file.readable(rec) && human.size() < 160) line += "  # " + human;
  return line;
}

inline void write(const File& file, const std::string& path, const std::vector<Record>& records) {
  std::ofstream out(path);
  BOOST_REQUIRE_MESSAGE(out, "cannot write " << path);
  out << kHeader << "\n";
  for (const auto& line : file.description) out << "# " << line << "\n";
  for (const auto& rec : records) out << format_record(file, rec) << "\n";
  out << "end " << records.size() << "\n";
}

struct Contents {
  std::map<std::string, std::vector<std::string>> outputs;  // key -> output tokens
  std::size_t declared = 0;
};

// One line's record into `contents`; false for the 'end' line.
inline bool read_line(const std::string& path, int number, std::vector<std::string> tokens,
                      Contents& contents) {
  if (tokens[0] == "end") {
    BOOST_REQUIRE_MESSAGE(tokens.size() == 2, path << ":" << number << ": malformed end line");
    contents.declared = std::stoul(tokens[1]);
    return false;
  }
  Record rec;
  rec.fn = tokens[0];
  std::size_t i = 1;
  for (; i < tokens.size() && tokens[i] != "->"; ++i) rec.in.push_back(tokens[i]);
  BOOST_REQUIRE_MESSAGE(i < tokens.size(), path << ":" << number << ": no '->' in record");
  for (++i; i < tokens.size(); ++i) rec.out.push_back(tokens[i]);
  BOOST_REQUIRE_MESSAGE(contents.outputs.emplace(rec.key(), rec.out).second,
                        path << ":" << number << ": duplicate record " << rec.key());
  return true;
}

inline Contents read(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot open the golden file " << path);
  std::string line;
  BOOST_REQUIRE_MESSAGE(std::getline(in, line) && line == kHeader,
                        path << ": first line must be '" << kHeader << "', got '" << line << "'");
  Contents contents;
  bool ended = false;
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::vector<std::string> tokens;
    for (std::string w; words >> w;) tokens.push_back(w);
    if (tokens.empty()) continue;
    BOOST_REQUIRE_MESSAGE(!ended, path << ":" << number << ": record after the 'end' line");
    ended = !read_line(path, number, std::move(tokens), contents);
  }
  BOOST_REQUIRE_MESSAGE(ended, path << ": no 'end <count>' line: the file is truncated");
  BOOST_REQUIRE_MESSAGE(
      contents.declared == contents.outputs.size(),
      path << ": 'end " << contents.declared << "' but " << contents.outputs.size() << " records");
  return contents;
}

inline std::string joined(const std::vector<std::string>& tokens) {
  std::string s;
  for (const auto& t : tokens) s += t + " ";
  return s;
}

// The golden test: every record equal to the file's, none missing, none stale.
inline void check(const File& file, const std::vector<Record>& records) {
  if (const char* out = std::getenv("LOCKSTEP_GOLDEN_OUT")) {
    write(file, out, records);
    BOOST_TEST_MESSAGE("wrote " << records.size() << " golden records to " << out);
  }
  const Contents golden = read(file.path);
  std::map<std::string, bool> seen;
  int drifted = 0, missing = 0;
  for (const auto& rec : records) {
    seen[rec.key()] = true;
    const auto it = golden.outputs.find(rec.key());
    if (it == golden.outputs.end()) {
      ++missing;
      BOOST_ERROR("case missing from " << file.path
                                       << " (regenerate with LOCKSTEP_GOLDEN_OUT and review): "
                                       << format_record(file, rec));
      continue;
    }
    if (it->second != rec.out) {
      ++drifted;
      BOOST_ERROR("DRIFT in " << rec.readable_inputs() << "\n    inputs   " << rec.key()
                              << "\n    expected " << Record::readable(it->second) << "  ["
                              << joined(it->second) << "]\n    got      "
                              << Record::readable(rec.out) << "  [" << rec.outputs() << " ]");
    }
  }
  for (const auto& [key, out] : golden.outputs) {
    if (!seen.count(key)) BOOST_ERROR("stale golden record (no such case in the test): " << key);
  }
  BOOST_TEST_MESSAGE(records.size()
                     << " golden records, " << drifted << " drifted, " << missing << " missing");
}

}  // namespace lockstep::test::golden
