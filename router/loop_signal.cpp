#include "router/loop_signal.hpp"

namespace sluice::router {

void LoopSignal::notify() {
  // Taken and released: a waiter between its check and its wait holds it, so this waits until
  // that waiter waits, and the notification reaches it.
  { MutexLock lock(mutex_); }
  changed_.notify_all();
}

}  // namespace sluice::router
