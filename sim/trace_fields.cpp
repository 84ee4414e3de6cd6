// Strict field access for trace records (see trace_fields.h).
#include "sim/trace_fields.h"

#include <algorithm>
#include <limits>

#include "sim/error.h"

namespace lockstep::sim::trace {

using nlohmann::json;

namespace {

bool is_int32(const json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>() <= std::numeric_limits<int>::max();
  if (!v.is_number_integer()) return false;
  const auto x = v.get<std::int64_t>();
  return x >= std::numeric_limits<int>::min() && x <= std::numeric_limits<int>::max();
}

bool is_non_negative(const json& v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
}

bool is_hex16(const json& v) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  return s.size() == 16 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

Fields::Fields(const json& value, const std::string& where, std::string path)
    : value_(value), where_(where), path_(std::move(path)) {
  if (!value_.is_object()) {
    if (path_.empty()) fail("a trace record must be a JSON object");
    fail(path_.substr(0, path_.size() - 1) + " must be an object");
  }
}

void Fields::fail(const std::string& message) const {
  throw InputError(where_ + ": " + message);
}

void Fields::fail_field(const std::string& name, const std::string& message) const {
  fail("field '" + path_ + name + "' " + message);
}

bool Fields::has(const std::string& name) const {
  return value_.contains(name);
}

const json& Fields::at(const std::string& name) {
  const auto it = value_.find(name);
  if (it == value_.end()) fail("missing field '" + path_ + name + "'");
  if (std::find(read_.begin(), read_.end(), name) == read_.end()) read_.push_back(name);
  return *it;
}

namespace {

template <typename Check>
const json& checked(Fields& f, const std::string& name, const char* kind, Check&& ok) {
  const json& v = f.at(name);
  if (!ok(v)) {
    std::string got = v.dump();
    if (got.size() > 40) got = got.substr(0, 37) + "...";
    f.fail_field(name, std::string("must be ") + kind + ", got " + got);
  }
  return v;
}

}  // namespace

int Fields::integer(const std::string& name) {
  return checked(*this, name, "an integer", is_int32).get<int>();
}

int Fields::count(const std::string& name) {
  return checked(*this, name, "a non-negative integer",
                 [](const json& v) { return is_non_negative(v) && is_int32(v); })
      .get<int>();
}

std::int64_t Fields::count64(const std::string& name) {
  return checked(*this, name, "a non-negative integer",
                 [](const json& v) {
                   return is_non_negative(v) &&
                          (!v.is_number_unsigned() ||
                           v.get<std::uint64_t>() <= std::numeric_limits<std::int64_t>::max());
                 })
      .get<std::int64_t>();
}

std::uint64_t Fields::seed(const std::string& name) {
  return checked(*this, name, "a non-negative integer", is_non_negative).get<std::uint64_t>();
}

bool Fields::boolean(const std::string& name) {
  return checked(*this, name, "true or false", [](const json& v) { return v.is_boolean(); })
      .get<bool>();
}

std::string Fields::text(const std::string& name) {
  return checked(*this, name, "a string", [](const json& v) { return v.is_string(); })
      .get<std::string>();
}

std::string Fields::model(const std::string& name) {
  std::string s = text(name);
  if (s != "target" && s != "draft")
    fail_field(name, "must be \"target\" or \"draft\", got \"" + s + "\"");
  return s;
}

std::string Fields::form(const std::string& name) {
  std::string s = text(name);
  if (s != "padded" && s != "packed")
    fail_field(name, "must be \"padded\" or \"packed\", got \"" + s + "\"");
  return s;
}

std::uint64_t Fields::hex(const std::string& name) {
  const auto& s = checked(*this, name, "a 16-digit lowercase hex string", is_hex16)
                      .get_ref<const std::string&>();
  return std::stoull(s, nullptr, 16);
}

double Fields::number(const std::string& name) {
  return checked(*this, name, "a number", [](const json& v) { return v.is_number(); })
      .get<double>();
}

std::vector<int> Fields::ints(const std::string& name) {
  const json& v = checked(*this, name, "an array of integers", [](const json& a) {
    return a.is_array() && std::all_of(a.begin(), a.end(), is_int32);
  });
  std::vector<int> out;
  out.reserve(v.size());
  for (const auto& x : v) out.push_back(x.get<int>());
  return out;
}

std::vector<std::string> Fields::strings(const std::string& name) {
  const json& v = checked(*this, name, "an array of strings", [](const json& a) {
    return a.is_array() &&
           std::all_of(a.begin(), a.end(), [](const json& e) { return e.is_string(); });
  });
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(x.get<std::string>());
  return out;
}

const json& Fields::array(const std::string& name) {
  return checked(*this, name, "an array", [](const json& v) { return v.is_array(); });
}

Fields Fields::object(const std::string& name) {
  return Fields(checked(*this, name, "an object", [](const json& v) { return v.is_object(); }),
                where_, path_ + name + ".");
}

Fields Fields::element(const std::string& name, std::size_t index, const json& value) const {
  return Fields(value, where_, path_ + name + "[" + std::to_string(index) + "].");
}

void Fields::finish() const {
  for (const auto& item : value_.items()) {
    if (std::find(read_.begin(), read_.end(), item.key()) == read_.end())
      fail("unknown field '" + path_ + item.key() + "'");
  }
}

}  // namespace lockstep::sim::trace
