// SpecBench's question.jsonl read as records: each record's first turn and its category
// (SpecBench's 13: the 8 MT-bench ones and translation, summarization, qa, math_reasoning,
// rag). Reading checks every line of the file, not only the requested ones, so a damaged file
// fails the same way whichever slice a caller asks for. Tokenizes nothing (scenario.cpp cuts
// to byte tokens, resolve/ runs a model's tokenizer).
#pragma once

#include <string>
#include <vector>

#include "sim/scenario.h"

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

// Every record of the file, in order.
std::vector<SpecBenchRecord> read_specbench_all(const std::string& path);

// The records a scenario's SpecBench source names: its `records` list when set, else its
// offset / count / stride slice.
std::vector<SpecBenchRecord> read_specbench_source(const std::string& path,
                                                   const SpecBenchSource& source);

// `per_category` record indices from each category, evenly spread inside it (the category's
// j-th pick is its record floor(j * size / per_category)), in file order. Throws InputError
// when a category has fewer records than asked, or a record has no category.
std::vector<int> spread_over_categories(const std::vector<SpecBenchRecord>& all, int per_category);

}  // namespace lockstep::sim
