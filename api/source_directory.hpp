#pragma once

// The sources in force, replaceable while the server runs: the SourceCatalog publishes a new
// immutable SourceRegistry after every change, and each IO thread reads it lock-free through
// its own SourceView (common/published.hpp).

#include "api/sources.hpp"
#include "common/published.hpp"

namespace sluice::api {

using SourceDirectory = Published<SourceRegistry>;
using SourceView = PublishedView<SourceRegistry>;

}  // namespace sluice::api
