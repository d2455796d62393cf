#include "net/session_tracker.hpp"

namespace sluice::net {

SessionTracker::SessionTracker(const boost::asio::any_io_executor& executor)
    : drain_timer_(executor) {}

void SessionTracker::add(SessionState* session) {
  sessions_.insert(session);
}

void SessionTracker::remove(SessionState* session) {
  sessions_.erase(session);
  if (stopping_ && sessions_.empty()) drain_timer_.cancel();
}

void SessionTracker::drain(std::chrono::milliseconds drain_timeout) {
  stopping_ = true;
  drain_timer_.expires_after(drain_timeout);
  drain_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) close_all();
  });
  for (SessionState* session : sessions_) {
    session->stop_requested = true;
    if (session->idle) session->stream->cancel();
  }
  if (sessions_.empty()) drain_timer_.cancel();
}

void SessionTracker::close_all() {
  for (SessionState* session : sessions_) {
    session->stop_requested = true;
    boost::system::error_code ec;
    session->stream->socket().close(ec);
  }
}

}  // namespace sluice::net
