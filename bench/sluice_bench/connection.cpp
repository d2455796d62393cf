#include "bench/sluice_bench/connection.hpp"

#include <cerrno>
#include <sys/socket.h>

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

#include "bench/sluice_bench/worker.hpp"

namespace sluice::bench {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

// Sluice's answers are a few bytes; a batch with rejected events lists each of them. Anything
// longer is read and dropped.
constexpr std::size_t kResponseBodyLimit = 1 << 20;
constexpr std::size_t kReadChunk = 16 * 1024;
// After a failed connect a closed loop would otherwise retry at full speed against a server
// that is down, burning the CPU the server may need to come back.
constexpr auto kConnectRetryPause = std::chrono::milliseconds(50);
// A connection unused for this long may have been closed by the server's keep-alive timeout.
constexpr auto kIdleCheckAfter = std::chrono::seconds(1);

}  // namespace

Connection::Connection(Worker& worker)
    : worker_(worker),
      open_loop_(worker.plan().options.open_loop()),
      socket_(worker.executor()),
      timer_(worker.executor()) {
  read_buffer_.reserve(kReadChunk);
}

template <typename Handler>
auto Connection::bind(Handler handler) {
  return asio::bind_allocator(HandlerAllocator<char>(&memory_), std::move(handler));
}

void Connection::expire(Clock::time_point now, bool stopping) {
  if (deadline_ && now >= *deadline_) {
    timed_out_ = true;
    close();  // the pending connect, write or read completes with operation_aborted
  }
  if (stopping) timer_.cancel();
}

void Connection::close() {
  error_code ignored;
  socket_.close(ignored);
  read_buffer_.clear();
}

// An idle keep-alive connection the server has closed (its FIN or RST already arrived) would
// fail the next request with an error the server did not cause; real clients reconnect
// instead. One non-blocking peek, only after an idle second, so never under load.
bool Connection::closed_by_peer() {
  char byte;
  const ssize_t peeked = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

void Connection::finish() {
  close();
  deadline_.reset();
  finished_ = true;
  worker_.connection_finished();
}

void Connection::next_request(Clock::time_point now) {
  if (!worker_.may_start(now) || !worker_.claim_request()) return finish();
  if (!open_loop_) return send(now);
  started_ = worker_.take_slot();
  if (started_ >= worker_.plan().deadline) return finish();
  const Clock::time_point wake = worker_.schedule().wake_time(started_);
  if (wake <= now) return send(now);
  timer_.expires_at(wake);
  timer_.async_wait(bind([this](const error_code&) { on_slot_due(); }));
}

void Connection::on_slot_due() {
  // Also woken early by the watchdog when the run stops.
  if (worker_.stopping()) return finish();
  send(Clock::now());
}

void Connection::send(Clock::time_point now) {
  timed_out_ = false;
  deadline_ = now + worker_.plan().options.timeout;
  if (socket_.is_open() && now - last_used_ > kIdleCheckAfter && closed_by_peer()) close();
  if (socket_.is_open()) return write();
  asio::async_connect(
      socket_, worker_.plan().endpoints,
      bind([this](const error_code& ec, const asio::ip::tcp::endpoint&) { on_connected(ec); }));
}

void Connection::on_connected(const error_code& ec) {
  if (ec) {
    close();
    deadline_.reset();
    const Clock::time_point now = Clock::now();
    worker_.record_error(now, timed_out_ ? ErrorKind::kTimeout : ErrorKind::kConnect);
    if (open_loop_) return next_request(now);  // the schedule paces the retries
    timer_.expires_after(kConnectRetryPause);
    timer_.async_wait(bind([this](const error_code&) { next_request(Clock::now()); }));
    return;
  }
  // Requests are written whole; Nagle would hold back the last segment of a large body.
  error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  worker_.record_connect();
  write();
}

void Connection::write() {
  if (!worker_.builder().build(request_)) {
    worker_.fail("gzip compression failed");
    return finish();
  }
  // Closed loop: latency from here, after the body was made, so the generator's own time is
  // not charged to the server. Open loop: from the slot, which is the point of it, or from
  // here for a request that pacing sends ahead of its slot.
  const Clock::time_point now = Clock::now();
  if (!open_loop_ || now < started_) started_ = now;
  worker_.record_sent(now, request_);
  asio::async_write(socket_, request_.buffers,
                    bind([this](const error_code& ec, std::size_t) { on_written(ec); }));
}

void Connection::on_written(const error_code& ec) {
  if (ec) return on_failure(timed_out_ ? ErrorKind::kTimeout : classify_io_error(ec));
  reader_.emplace(&response_body_, kResponseBodyLimit);
  read();
}

// Reads straight into the parser, as http::async_read does, without its two layers of
// composed operations: for most responses one read and one parse.
void Connection::read() {
  error_code ec;
  if (parse(&ec)) {
    if (ec) return on_failure(classify_io_error(ec));
    return on_response();
  }
  socket_.async_read_some(
      read_buffer_.prepare(kReadChunk),
      bind([this](const error_code& ec, std::size_t bytes) { on_read(ec, bytes); }));
}

void Connection::on_read(const error_code& ec, std::size_t bytes) {
  if (ec == asio::error::eof && !timed_out_) {
    // A response without Content-Length ends where the connection does.
    error_code eof_ec;
    reader_->put_eof(eof_ec);
    if (eof_ec) return on_failure(ErrorKind::kClosed);
    return on_response();
  }
  if (ec) return on_failure(timed_out_ ? ErrorKind::kTimeout : classify_io_error(ec));
  read_buffer_.commit(bytes);
  read();
}

bool Connection::parse(error_code* ec) {
  while (read_buffer_.size() > 0) {
    const std::size_t used = reader_->put(read_buffer_.data(), *ec);
    read_buffer_.consume(used);
    if (*ec == http::error::need_more) {
      *ec = {};
      return false;  // an incomplete header line stays in the buffer until more arrives
    }
    if (*ec || reader_->is_done()) return true;
    if (used == 0) return false;
  }
  return false;
}

void Connection::on_response() {
  const Clock::time_point done = Clock::now();
  deadline_.reset();
  worker_.record_response(done, started_, reader_->status(), request_.events, response_body_);
  last_used_ = done;
  if (!reader_->keep_alive()) close();
  next_request(done);
}

void Connection::on_failure(ErrorKind kind) {
  const Clock::time_point now = Clock::now();
  deadline_.reset();
  worker_.record_error(now, kind);
  close();
  next_request(now);
}

}  // namespace sluice::bench
