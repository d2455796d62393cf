#pragma once

// Name-based UUIDs (RFC 9562 version 5: SHA-1 of a namespace and a name), so that the same
// recipient or the same webhook item always gets the same anonymousId, on any server.

#include <string>
#include <string_view>

namespace sluice::inbound {

// The version-5 UUID of name in Sluice's own namespace, in its 36-character text form.
std::string name_uuid(std::string_view name);

}  // namespace sluice::inbound
