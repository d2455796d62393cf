#include "server/open_file_limit.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/resource.h>

namespace sluice::server {

OpenFileLimit raise_open_file_limit(std::size_t wanted, std::string* error) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    *error = std::string("cannot read the open file limit: ") + std::strerror(errno);
    return {};
  }
  const rlim_t target = limit.rlim_max == RLIM_INFINITY
                            ? static_cast<rlim_t>(wanted)
                            : std::min(static_cast<rlim_t>(wanted), limit.rlim_max);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
    rlimit raised = limit;
    raised.rlim_cur = target;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  OpenFileLimit result;
  result.soft = limit.rlim_cur == RLIM_INFINITY ? wanted : static_cast<std::size_t>(limit.rlim_cur);
  result.hard = limit.rlim_max == RLIM_INFINITY ? wanted : static_cast<std::size_t>(limit.rlim_max);
  return result;
}

std::size_t descriptor_reserve(std::size_t soft_limit) {
  return std::min(kDescriptorReserve, soft_limit / 4);
}

std::size_t connection_cap(std::size_t configured, const OpenFileLimit& limit) {
  return std::min(configured, limit.soft - descriptor_reserve(limit.soft));
}

}  // namespace sluice::server
