#pragma once

// The end-of-run report of a load run: a table for people (stdout) and the same figures as
// JSON for scripts (--json FILE).

#include <iosfwd>
#include <string>

#include "bench/sluice_bench/load_options.hpp"
#include "bench/sluice_bench/load_runner.hpp"

namespace sluice::bench {

void print_run_report(const LoadOptions& options, const RunSummary& summary, std::ostream& out);
std::string run_report_json(const LoadOptions& options, const RunSummary& summary);

}  // namespace sluice::bench
