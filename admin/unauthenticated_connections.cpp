#include "admin/unauthenticated_connections.hpp"

namespace sluice::admin {

UnauthenticatedConnections::Registration::Registration(UnauthenticatedConnections& owner,
                                                       net::HttpConnection& connection)
    : owner_(owner), ticket_(owner.next_ticket_++) {
  owner_.waiting_.emplace(ticket_, &connection);
}

void UnauthenticatedConnections::Registration::authenticated() {
  if (!registered_) return;
  owner_.waiting_.erase(ticket_);
  registered_ = false;
}

bool UnauthenticatedConnections::close_oldest() {
  if (waiting_.empty()) return false;
  auto oldest = waiting_.begin();
  net::HttpConnection* connection = oldest->second;
  // Out of the list first: the session's Registration finds nothing left to remove.
  waiting_.erase(oldest);
  connection->abort();
  return true;
}

}  // namespace sluice::admin
