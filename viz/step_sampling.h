// The sampling part of a step's view (issue 14 item 5): for a sampled run that drafts, each grid
// row's judged drafts with p(d) (and q(d) under rejection) and the token drawn after them, with
// its probability and source. Rejection sampling reads them from the verify record's "judged"
// and "sampled" fields; coupled sampling from the "sample" detail records (a draft is accepted
// iff it equals the target's keyed sample, which is also the correction or bonus). Fills the
// GridRows' `judged`, `drawn` and `first_draft`; draws nothing (viz/dot_sampling.h does).
#pragma once

#include "viz/step_view.h"

namespace lockstep::viz {

// `verify` is the step's verify record, whose rows are view.grid's rows in order.
void add_sampling(const Trace& trace, const VerifyRecord& verify, StepView& view);

}  // namespace lockstep::viz
