// SpecBench's question.jsonl read as records: each record's first turn and its category
// (SpecBench's 13: the 8 MT-bench ones and translation, summarization, qa, math_reasoning,
// rag). Reading checks every line of the file, not only the requested ones, so a damaged file
// fails the same way whichever slice a caller asks for. Tokenizes nothing (scenario.cpp cuts
// to byte tokens, resolve/ runs a model's tokenizer).
#pragma once

#include <string>
#include <vector>

namespace lockstep::sim {

struct SpecBenchRecord {
  int index = 0;         // the record's position in the file (blank lines not counted)
  std::string question;  // the first turn
  std::string category;  // the record's "category"; empty when the record has none
};

// `count` records: offset, offset + stride, offset + 2 stride, ... Throws InputError naming
// the file and line for a malformed record, a non-string category, or a slice past the end
// (saying how many records the file has).
std::vector<SpecBenchRecord> read_specbench_records(const std::string& path, int offset, int count,
                                                    int stride = 1);

}  // namespace lockstep::sim
