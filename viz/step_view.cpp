// Classifies every cell of a step's picture by replaying the trace (see step_view.h).
#include "viz/step_view.h"

#include <algorithm>
#include <map>

#include "sim/error.h"
#include "sim/strategy.h"
#include "viz/kv_replay.h"
#include "viz/step_sampling.h"

namespace lockstep::viz {
namespace {

// The round of one sequence at one step, as the verify record and its pass tell it.
struct Round {
  int pending_index = 0;  // logical index of the token fed first (the newest committed)
  int accepted = 0;
};

// Facts that need the whole trace before any page is drawn: where each prompt ends (the
// first round's pending token is the last prompt token) and each step's rounds.
struct Facts {
  std::map<int, int> prompt_len;                // seq -> prompt length
  std::map<std::pair<int, int>, Round> rounds;  // (step, seq) -> round

  CellKind kind_of(int step, const Tag& tag) const {
    if (tag.seq < 0) return CellKind::pad;
    auto p = prompt_len.find(tag.seq);
    if (p != prompt_len.end() && tag.index < p->second) return CellKind::prompt;
    auto r = rounds.find({step, tag.seq});
    if (r != rounds.end() && tag.index > r->second.pending_index) {
      return tag.index - r->second.pending_index <= r->second.accepted ? CellKind::accepted
                                                                       : CellKind::rejected;
    }
    return CellKind::committed;
  }
};

// The batch row of `pass` that serves cache row `cache_row`, or -1.
int pass_row(const PassRecord& pass, int cache_row) {
  for (std::size_t r = 0; r < pass.cache_rows.size(); ++r)
    if (pass.cache_rows[r] == cache_row) return static_cast<int>(r);
  return -1;
}

// Index into the pass's flat arrays of token t of batch row r.
std::size_t flat(const PassRecord& p, int r, int t) {
  const int base = p.packed ? p.row_offsets[static_cast<std::size_t>(r)] : r * p.tokens;
  return static_cast<std::size_t>(base + t);
}

int row_tokens(const PassRecord& p, int r) {
  return p.packed ? p.row_offsets[static_cast<std::size_t>(r) + 1] -
                        p.row_offsets[static_cast<std::size_t>(r)]
                  : p.tokens;
}

[[noreturn]] void fail(const Trace& t, int line, const std::string& what) {
  throw InputError(event_where(t, line) + ": " + what);
}

Facts gather_facts(const Trace& trace) {
  Facts facts;
  const PassRecord* last_target = nullptr;
  for (const Event& e : trace.events) {
    if (const auto* p = std::get_if<PassRecord>(&e)) {
      if (p->model == "target") last_target = p;
    } else if (const auto* v = std::get_if<VerifyRecord>(&e)) {
      if (last_target == nullptr || last_target->step != v->step) {
        fail(trace, v->line,
             "no detail record of the target pass precedes this \"verify\" record "
             "(write the trace with --trace-details)");
      }
      for (const auto& row : v->rows) {
        const int r = pass_row(*last_target, row.row);
        if (r < 0 || row_tokens(*last_target, r) == 0) {
          fail(trace, v->line,
               "verify row " + std::to_string(row.row) +
                   " is not a row of the target pass on line " + std::to_string(last_target->line));
        }
        const int pending = last_target->tags[flat(*last_target, r, 0)].index;
        facts.rounds[{v->step, row.seq}] = Round{pending, row.accepted};
        auto [it, fresh] = facts.prompt_len.emplace(row.seq, pending + 1);
        if (!fresh) it->second = std::min(it->second, pending + 1);
      }
    }
  }
  return facts;
}

Cell slot_cell(const Facts& facts, int step, const KvSlot& s) {
  if (!s.written) return Cell{};
  return Cell{facts.kind_of(step, s.tag), s.tag, s.token, s.position, false};
}

// Which slots of a cache belong to some sequence's KV ([row][slot]); empty: unknown.
using Live = std::vector<std::vector<bool>>;

Live no_live(const KvCache& cache) {
  return Live(static_cast<std::size_t>(cache.kv.rows()),
              std::vector<bool>(static_cast<std::size_t>(cache.kv.capacity()), false));
}

void mark(Live& live, int row, int first, int length) {
  if (row < 0 || row >= static_cast<int>(live.size())) return;
  auto& r = live[static_cast<std::size_t>(row)];
  for (int s = std::max(first, 0); s < first + length && s < static_cast<int>(r.size()); ++s)
    r[static_cast<std::size_t>(s)] = true;
}

// Slots a pass writes become live: they hold the round's tokens until the realignment.
void mark_pass(Live& live, const PassRecord& p) {
  for (std::size_t r = 0; r < p.cache_rows.size(); ++r) {
    const int ri = static_cast<int>(r);
    for (int t = 0; t < row_tokens(p, ri); ++t) {
      const int slot = p.packed ? p.kv_extent[r] + t : p.write_slots[flat(p, ri, t)];
      mark(live, p.cache_rows[r], slot, 1);
    }
  }
}

KvMap snapshot(const Facts& facts, int step, const KvCache& cache, const Live& live) {
  KvMap map;
  for (int ri = 0; ri < cache.kv.rows(); ++ri) {
    const auto r = static_cast<std::size_t>(ri);
    const auto slots = cache.kv.row(ri);
    std::vector<Cell> cells;
    cells.reserve(slots.size());
    for (std::size_t s = 0; s < slots.size(); ++s) {
      Cell c = slot_cell(facts, step, slots[s]);
      if (!live.empty() && c.kind != CellKind::empty && c.kind != CellKind::pad && !live[r][s])
        c.kind = CellKind::stale;
      cells.push_back(c);
    }
    map.rows.push_back(std::move(cells));
  }
  return map;
}

int used_columns(const KvMap& map) {
  int used = 0;
  for (const auto& row : map.rows) {
    for (int s = static_cast<int>(row.size()); s > used; --s) {
      if (row[static_cast<std::size_t>(s) - 1].kind != CellKind::empty) {
        used = s;
        break;
      }
    }
  }
  return used;
}

void trim(KvMap& map, int columns) {
  for (auto& row : map.rows) row.resize(static_cast<std::size_t>(columns));
}

// The grid of the verify pass, classified from the pass's own tags (fed tokens) and the KV
// as it was just before the pass (cached columns).
void build_grid(const Facts& facts, const PassRecord& pass, const KvCache& pre,
                const VerifyRecord& verify, StepView& view) {
  int columns = 0;
  for (std::size_t r = 0; r < pass.cache_rows.size(); ++r) {
    const int ri = static_cast<int>(r);
    columns = std::max(
        columns, pass.packed ? pass.kv_extent[r] + row_tokens(pass, ri) : pass.past + pass.tokens);
  }
  view.grid_columns = columns;
  for (const auto& vr : verify.rows) {
    const int r = pass_row(pass, vr.row);
    GridRow g{vr.row, vr.seq, vr.accepted, vr.committed, vr.finished, {}, {}, {}, {}, 0};
    g.cells.resize(static_cast<std::size_t>(columns));
    const int cached = pass.packed ? pass.kv_extent[static_cast<std::size_t>(r)] : pass.past;
    const int known = pre.kv.contains(vr.row, 0) ? pre.kv.capacity() : 0;
    for (int c = 0; c < cached && c < known; ++c) {
      Cell cell = slot_cell(facts, verify.step, pre.kv.slot(vr.row, c));
      // A column the row's mask hides is padding to this query, whatever stale bytes lie
      // there; its position id means nothing, so none is shown.
      if (!pass.packed &&
          pass.mask[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)] == '0') {
        cell.kind = CellKind::pad;
        cell.position = -1;
      }
      if (cell.kind == CellKind::empty && !pass.packed) cell.kind = CellKind::pad;
      g.cells[static_cast<std::size_t>(c)] = cell;
    }
    const int n = row_tokens(pass, r);
    for (int t = 0; t < n; ++t) {
      const std::size_t i = flat(pass, r, t);
      Cell cell{CellKind::committed, pass.tags[i], pass.input_ids[i], pass.positions[i], false};
      if (cell.tag.seq < 0) {
        cell.kind = CellKind::pad;
      } else if (t == 0) {
        cell.kind = facts.kind_of(verify.step, cell.tag);
      } else {
        cell.kind = t <= vr.accepted ? CellKind::accepted : CellKind::rejected;
      }
      g.cells[static_cast<std::size_t>(cached + t)] = cell;
    }
    // The row ends with the target's own token after the drafts it keeps: after all `a`
    // accepted ones normally, after fewer under rollback (which keeps min(a) in every row,
    // and the row goes on). EOS or max_new_tokens inside the drafts leaves no such token.
    const bool full = vr.committed == vr.accepted + 1;
    const bool rolled_back = !vr.finished && vr.committed >= 1 && vr.committed <= vr.accepted;
    if ((full || rolled_back) && vr.committed - 1 < static_cast<int>(vr.targets.size())) {
      const Cell& pending = g.cells[static_cast<std::size_t>(cached)];
      g.bonus = Cell{CellKind::bonus, Tag{vr.seq, pending.tag.index + vr.committed},
                     vr.targets[static_cast<std::size_t>(vr.committed - 1)],
                     pending.position + vr.committed, false};
    }
    view.grid.push_back(std::move(g));
  }
}

void build_pool(const KvCache& start, const VerifyRecord& verify, StepView& view) {
  for (int r = 0; r < start.kv.rows(); ++r) {
    PoolEntry e;
    e.row = r;
    for (const auto& s : start.kv.row(r)) {
      if (!s.written) continue;
      ++e.kv_length;
      if (s.tag.seq >= 0) e.seq = s.tag.seq;
    }
    for (const auto& vr : verify.rows) {
      if (vr.row == e.row) {
        e.chosen = true;
        e.seq = vr.seq;
      }
    }
    view.pool.push_back(e);
  }
}

// Marks the violation's slot in the end-of-step map of the cache its detail names.
void mark_violation(StepView& view) {
  if (!view.violation || view.violation->row < 0 || view.violation->slot < 0) return;
  const bool draft = view.violation->detail.rfind("draft", 0) == 0 ||
                     view.violation->detail.find("draft KV") != std::string::npos;
  // I1/I2 break inside a pass: the target's are marked in the grid too (its columns are
  // the cache's slots).
  const std::string& inv = view.violation->invariant;
  if (!draft && (inv == "I1" || inv == "I2")) {
    for (auto& g : view.grid) {
      if (g.cache_row == view.violation->row &&
          view.violation->slot < static_cast<int>(g.cells.size()))
        g.cells[static_cast<std::size_t>(view.violation->slot)].violation = true;
    }
  }
  for (auto& c : view.caches) {
    if ((c.model == "draft") != draft) continue;
    auto& rows = c.after.rows;
    const auto r = static_cast<std::size_t>(view.violation->row);
    const auto s = static_cast<std::size_t>(view.violation->slot);
    if (r < rows.size() && s < rows[r].size()) rows[r][s].violation = true;
  }
}

// Marks, in the grid, the committed token where a sequence's output first differs from
// batch-1 AR: an accepted draft of its row, or the row's bonus token.
void mark_divergences(StepView& view) {
  for (const auto& d : view.divergences) {
    for (auto& g : view.grid) {
      if (g.seq != d.seq) continue;
      for (auto& c : g.cells) {
        if (c.tag.seq == d.seq && c.tag.index == d.index && c.kind == CellKind::accepted)
          c.divergence = true;
      }
      if (g.bonus.kind == CellKind::bonus && g.bonus.tag.index == d.index)
        g.bonus.divergence = true;
    }
  }
}

}  // namespace

namespace {

struct KindStyle {
  const char* name;
  const char* label;
  // Blues for what is settled, green/orange for the draft verdict, gold for the target's
  // own token: readable in greyscale by lightness too.
  const char* color;
};

const KindStyle& kind_style(CellKind kind) {
  static const KindStyle kStyles[] = {
      {"empty", "empty slot", "#ffffff"},
      {"pad", "pad", "#e0e0e0"},
      {"prompt", "prompt", "#c6dbef"},
      {"committed", "committed", "#6baed6"},
      {"draft-accepted", "draft accepted", "#74c476"},
      {"draft-rejected", "draft rejected", "#fc9272"},
      {"bonus", "bonus / correction", "#fed976"},
      {"stale", "stale copy, never read", "#ffffff"},
  };
  return kStyles[static_cast<std::size_t>(kind)];  // enum order is the table's order
}

}  // namespace

const char* kind_name(CellKind kind) {
  return kind_style(kind).name;
}
const char* kind_label(CellKind kind) {
  return kind_style(kind).label;
}
const char* kind_color(CellKind kind) {
  return kind_style(kind).color;
}

namespace {

// What one step's events leave behind while they are replayed.
struct StepScan {
  std::map<int, KvMap> before;      // caches just after the verify record
  std::map<int, Live> live_before;  // last placements + what this step wrote
  const PassRecord* verify_pass = nullptr;
  KvCache verify_pre;  // the verify pass's cache just before the pass
  const VerifyRecord* verify = nullptr;
  std::map<int, std::vector<MovesRecord>> post_moves;  // by source cache
};

// Replays a trace step by step, keeping the KV shadow and which slots are live.
class StepBuilder {
 public:
  explicit StepBuilder(const Trace& trace)
      : trace_(trace), facts_(gather_facts(trace)), replay_(trace.name) {}

  // Applies every event before step `first`.
  void skip_to(int first) {
    for (; i_ < trace_.events.size() && event_step(trace_.events[i_]) < first; ++i_) {
      replay_.apply(trace_.events[i_]);
      if (const auto* st = std::get_if<StateRecord>(&trace_.events[i_])) place(*st);
    }
  }

  StepView build(int step) {
    StepView view;
    view.step = step;
    view.last_step = trace_.last_step;
    view.run = trace_.run;
    view.trace_name = trace_.name;
    const auto start = replay_.caches();
    StepScan scan;
    for (const auto& [id, cache] : replay_.caches())
      scan.live_before[id] = live_.count(id) ? live_.at(id) : no_live(cache);
    for (; i_ < trace_.events.size() && event_step(trace_.events[i_]) <= step; ++i_)
      scan_event(trace_.events[i_], step, scan, view);
    if (scan.verify && scan.verify_pass) {
      view.has_round = true;
      view.form = scan.verify->form;
      view.grouped = scan.verify->grouped;
      build_grid(facts_, *scan.verify_pass, scan.verify_pre, *scan.verify, view);
      add_sampling(trace_, *scan.verify, view);
      if (sim::strategy_is(trace_.run.strategy, sim::uses_window_pool) &&
          start.count(scan.verify_pass->cache))
        build_pool(start.at(scan.verify_pass->cache), *scan.verify, view);
    }
    add_caches(step, scan, view);
    for (const auto& v : trace_.violations) view.violations_here += v.step == step ? 1 : 0;
    if (!trace_.violations.empty() && trace_.violations.front().step == step)
      view.violation = trace_.violations.front();
    mark_violation(view);
    view.trace_has_divergences = !trace_.divergences.empty();
    for (const auto& d : trace_.divergences) {
      if (d.step == step) view.divergences.push_back(d);
    }
    mark_divergences(view);
    return view;
  }

 private:
  // Applies a "state" record to `live_`: every cache of the record's models gets the placements.
  void place(const StateRecord& st) {
    for (const auto& [id, cache] : replay_.caches()) {
      Live l = no_live(cache);
      for (const auto& p : st.rows)
        if (p.model == cache.model) mark(l, p.row, p.first, p.length);
      live_[id] = std::move(l);
    }
  }

  void scan_moves(const MovesRecord& m, StepScan& scan, StepView& view) {
    // A move before the round (exspec alignment) relocates a row's KV: the source copy
    // left behind is stale, the destination is what the round reads.
    if (!scan.verify && scan.live_before.count(m.dst)) {
      Live& l = scan.live_before[m.dst];
      for (const auto& mv : m.moves) {
        if (mv.dst_row >= 0 && mv.dst_row < static_cast<int>(l.size()))
          std::fill(l[static_cast<std::size_t>(mv.dst_row)].begin(),
                    l[static_cast<std::size_t>(mv.dst_row)].end(), false);
      }
      for (const auto& mv : m.moves) mark(l, mv.dst_row, mv.dst_slot, mv.length);
    }
    view.realign_bytes += m.bytes;
    view.realign_moves += static_cast<int>(m.moves.size());
    if (scan.verify) {
      scan.post_moves[m.src].push_back(m);
    } else {
      view.pre_moves.push_back(m);
    }
  }

  void scan_event(const Event& e, int step, StepScan& scan, StepView& view) {
    const auto* p = std::get_if<PassRecord>(&e);
    if (p && p->model == "target" && !scan.verify) {
      scan.verify_pass = p;
      scan.verify_pre = replay_.has(p->cache) ? replay_.cache(p->cache) : KvCache{};
    }
    if (const auto* c = std::get_if<CacheRecord>(&e)) {
      scan.live_before[c->cache] = Live(static_cast<std::size_t>(c->rows),
                                        std::vector<bool>(static_cast<std::size_t>(c->capacity)));
    }
    if (p && !scan.verify && scan.live_before.count(p->cache))
      mark_pass(scan.live_before[p->cache], *p);
    if (const auto* st = std::get_if<StateRecord>(&e)) place(*st);
    if (const auto* m = std::get_if<MovesRecord>(&e)) scan_moves(*m, scan, view);
    replay_.apply(e);
    if (const auto* v = std::get_if<VerifyRecord>(&e)) {
      scan.verify = v;
      for (const auto& [id, cache] : replay_.caches()) {
        scan.before[id] = snapshot(facts_, step, cache,
                                   scan.live_before.count(id) ? scan.live_before.at(id) : Live{});
      }
    }
  }

  void add_caches(int step, StepScan& scan, StepView& view) const {
    for (const std::string model : {"target", "draft"}) {
      for (const auto& [id, cache] : replay_.caches()) {
        if (cache.model != model) continue;
        CacheView c;
        c.cache = id;
        c.model = model;
        c.bytes_per_slot = cache.bytes_per_slot;
        c.after = snapshot(facts_, step, cache, live_.count(id) ? live_.at(id) : Live{});
        c.before = scan.before.count(id) ? scan.before.at(id) : c.after;
        c.moves = scan.post_moves[id];
        c.columns = std::max({used_columns(c.before), used_columns(c.after), view.grid_columns, 1});
        c.columns = std::min(c.columns, cache.kv.rows() == 0 ? 0 : cache.kv.capacity());
        trim(c.before, c.columns);
        trim(c.after, c.columns);
        view.caches.push_back(std::move(c));
      }
    }
  }

  const Trace& trace_;
  const Facts facts_;
  KvReplay replay_;
  std::map<int, Live> live_;  // per cache, as the last "state" record placed sequences
  std::size_t i_ = 0;         // the next event to replay
};

}  // namespace

std::vector<StepView> build_step_views(const Trace& trace, int first, int last) {
  if (!trace.has_details) {
    throw InputError(trace.name +
                     ": the trace has no \"detail\" records; write it with "
                     "`lockstep run SCENARIO --trace FILE --trace-details` (or use --viz)");
  }
  if (last < 0 || last > trace.last_step) last = trace.last_step;
  first = std::max(first, 1);
  StepBuilder builder(trace);
  builder.skip_to(first);
  std::vector<StepView> views;
  for (int step = first; step <= last; ++step) views.push_back(builder.build(step));
  return views;
}

}  // namespace lockstep::viz
