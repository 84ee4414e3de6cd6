// index.html of a rendered trace: a static page (no scripts, no external resources, so it
// opens from disk) listing every step with its picture and one line of numbers.
#pragma once

#include <string>
#include <vector>

#include "viz/step_view.h"

namespace lockstep::viz {

// `files[i]` is the picture of `views[i]`, relative to the page.
std::string index_html(const std::vector<StepView>& views, const std::vector<std::string>& files);

// The one line of numbers of a step: accepted per row and realign bytes.
std::string step_numbers(const StepView& view);

}  // namespace lockstep::viz
