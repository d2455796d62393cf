#pragma once

// Memory for the one asynchronous operation a connection has outstanding at any time (a
// connect, write, read or timer wait), handed to Asio through the handlers' associated
// allocator, so that starting an operation does not go to the heap.
//
// Asio's own recycling cache keeps two blocks per thread, which many connections completing in
// the same epoll round overflow (with coroutines, which also allocate a frame per awaited
// operation from that cache, measured: 1.3 heap allocations per request at 16 connections, 0
// with this). This is the per-connection variant of Asio's "allocation" example. A request
// that does not fit, or comes while the block is taken, falls back to the heap.
//
// One per connection, used on its thread only; must outlive every operation it served.

#include <cstddef>
#include <new>

namespace sluice::bench {

class HandlerMemory {
 public:
  HandlerMemory() = default;
  HandlerMemory(const HandlerMemory&) = delete;
  HandlerMemory& operator=(const HandlerMemory&) = delete;

  void* allocate(std::size_t size) {
    if (!in_use_ && size <= sizeof storage_) {
      in_use_ = true;
      return storage_;
    }
    return ::operator new(size);
  }

  void deallocate(void* pointer) {
    if (pointer == storage_) {
      in_use_ = false;
    } else {
      ::operator delete(pointer);
    }
  }

 private:
  // Large enough for a socket operation with its composed-operation state and handler.
  alignas(std::max_align_t) unsigned char storage_[1024];
  bool in_use_ = false;
};

// The standard-allocator face of a HandlerMemory, for asio::bind_allocator.
template <typename T>
class HandlerAllocator {
 public:
  using value_type = T;

  explicit HandlerAllocator(HandlerMemory* memory) : memory_(memory) {}
  template <typename U>
  HandlerAllocator(const HandlerAllocator<U>& other) : memory_(other.memory_) {}

  T* allocate(std::size_t count) { return static_cast<T*>(memory_->allocate(sizeof(T) * count)); }
  void deallocate(T* pointer, std::size_t) { memory_->deallocate(pointer); }

  template <typename U>
  bool operator==(const HandlerAllocator<U>& other) const {
    return memory_ == other.memory_;
  }

 private:
  template <typename>
  friend class HandlerAllocator;
  HandlerMemory* memory_;
};

}  // namespace sluice::bench
