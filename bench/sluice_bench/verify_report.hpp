#pragma once

// The report of `sluice-bench verify`: a table for people and the same counts as JSON.

#include <iosfwd>
#include <string>

#include "bench/sluice_bench/verifier.hpp"

namespace sluice::bench {

void print_verify_report(const VerifyResult& result, std::ostream& out);
std::string verify_report_json(const VerifyResult& result);

}  // namespace sluice::bench
