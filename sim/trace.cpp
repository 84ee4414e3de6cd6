#include "sim/trace.h"

#include <cstdio>
#include <filesystem>

#include "sim/error.h"

namespace lockstep::sim {

TraceWriter::TraceWriter(const std::string& path) : path_(path) {
  file_.open(path_ + ".partial", std::ios::binary | std::ios::trunc);
  if (!file_) throw InputError("cannot write trace file '" + path_ + "'");
}

TraceWriter::~TraceWriter() {
  if (file_.is_open()) {
    // Not closed explicitly: the run failed, so the partial file is removed, not published.
    file_.close();
    std::error_code ignored;
    std::filesystem::remove(path_ + ".partial", ignored);
  }
}

void TraceWriter::record(const trace::Record& record) {
  // nlohmann::json keeps object keys sorted, so dump() is canonical.
  const std::string line = trace::to_json(record).dump();
  if (trace::in_digest(record)) {
    digest_.update(line);
    digest_.update("\n");
  }
  ++records_;
  if (file_.is_open()) file_ << line << '\n';
}

void TraceWriter::close() {
  if (!file_.is_open()) return;
  file_.close();
  if (!file_) throw InputError("failed writing trace file '" + path_ + "'");
  std::error_code ec;
  std::filesystem::rename(path_ + ".partial", path_, ec);
  if (ec) throw InputError("cannot move trace into place at '" + path_ + "': " + ec.message());
}

}  // namespace lockstep::sim
