#pragma once

// Names of the warehouse: event names, property paths and source names as PostgreSQL
// identifiers, the way Segment's warehouses name them, so that analysts' queries carry over.

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::warehouse {

// PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes.
inline constexpr std::size_t kMaxIdentifierBytes = 63;

// Segment's snake_case: "Order Completed" -> "order_completed", "productId" -> "product_id",
// "URL" -> "url", "checkout-step 2" -> "checkout_step_2", "Été" -> "Été" (characters beyond
// ASCII are kept as they are: only ASCII letters are lower-cased). Runs of anything but letters and
// digits become one '_'; leading and trailing '_' are dropped; a name that starts with a digit gets
// a leading '_'; an empty result is "_". At most kMaxIdentifierBytes bytes: a longer name is cut on
// a UTF-8 boundary and ends in '_' and 8 hex digits of a hash of the whole name, so two long names
// that share their first 54 bytes still differ.
std::string snake_case(std::string_view name);

// Two names joined for a flattened column: "context" + "page" -> "context_page", cut to the
// limit as snake_case cuts.
std::string joined(std::string_view prefix, std::string_view name);

// The identifier in double quotes, quotes inside doubled: safe for any name in SQL text,
// reserved words included ("user", "order").
std::string quote_identifier(std::string_view name);

}  // namespace sluice::warehouse
