// Strict field access for parsing one trace record (sim/trace_schema.cpp): every accessor
// checks presence and type, and finish() rejects fields nobody asked for, so a record holds
// exactly its schema's fields. Errors are InputErrors "WHERE: missing field 'rows[0].model'",
// "WHERE: field 'step' must be a non-negative integer, got -1", "WHERE: unknown field 'x'".
// Internal to the trace schema; not a general JSON reader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lockstep::sim::trace {

class Fields {
 public:
  // `path` prefixes field names in messages ("" at the top, "rows[2]." inside an array).
  Fields(const nlohmann::json& value, const std::string& where, std::string path);

  [[noreturn]] void fail(const std::string& message) const;
  [[noreturn]] void fail_field(const std::string& name, const std::string& message) const;

  const nlohmann::json& at(const std::string& name);
  bool has(const std::string& name) const;  // an optional field is present
  int integer(const std::string& name);     // any int32
  int count(const std::string& name);       // a non-negative int32
  std::int64_t count64(const std::string& name);
  std::uint64_t seed(const std::string& name);  // a non-negative 64-bit integer
  bool boolean(const std::string& name);
  std::string text(const std::string& name);
  std::string model(const std::string& name);  // "target" | "draft"
  std::string form(const std::string& name);   // "padded" | "packed"
  std::uint64_t hex(const std::string& name);  // 16 lowercase hex digits
  double number(const std::string& name);
  std::vector<int> ints(const std::string& name);
  std::vector<std::string> strings(const std::string& name);
  const nlohmann::json& array(const std::string& name);
  // The object at `name` (or `element` of an array read as `name`), path "name." / "name[i].".
  Fields object(const std::string& name);
  Fields element(const std::string& name, std::size_t index, const nlohmann::json& value) const;
  // Every field of the object was read; else "unknown field".
  void finish() const;

 private:
  const nlohmann::json& value_;
  const std::string& where_;
  std::string path_;
  std::vector<std::string> read_;
};

}  // namespace lockstep::sim::trace
