#pragma once

// The admin connections that have not yet sent an authenticated request, oldest first. When the
// admin listener is full, closing the oldest of them makes room for a new connection, so idle
// or token-less connections cannot lock the operator out; they also keep only the short header
// deadline (net::HttpConnection::keep_header_deadline) until they authenticate.
//
// A session registers its connection for as long as it has not authenticated; the
// Registration removes it on authenticated() or when the session ends. Used only on the admin
// thread; not thread-safe.

#include <cstdint>
#include <map>

#include "net/http_connection.hpp"

namespace sluice::admin {

class UnauthenticatedConnections {
 public:
  class Registration {
   public:
    Registration(UnauthenticatedConnections& owner, net::HttpConnection& connection);
    ~Registration() { authenticated(); }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

    // The connection sent a request with the right token: it is no longer evictable.
    void authenticated();

   private:
    UnauthenticatedConnections& owner_;
    std::uint64_t ticket_ = 0;
    bool registered_ = true;
  };

  // Aborts the oldest unauthenticated connection; false when there is none.
  bool close_oldest();
  std::size_t size() const { return waiting_.size(); }

 private:
  std::uint64_t next_ticket_ = 0;
  std::map<std::uint64_t, net::HttpConnection*> waiting_;  // by arrival
};

}  // namespace sluice::admin
