#pragma once

// Clang's thread-safety analysis (-Wthread-safety): annotations that say which mutex guards which
// data and which functions take, need or must not hold a lock, so that the compiler checks every
// access. They expand to nothing for other compilers; GCC builds still compile them, and a clang
// build proves them. See https://clang.llvm.org/docs/ThreadSafetyAnalysis.html.
//
// libstdc++'s std::mutex carries no annotations, so annotated code locks a sluice::Mutex
// (common/mutex.hpp) instead.

#if defined(__clang__)
#define SLUICE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SLUICE_THREAD_ANNOTATION(x)
#endif

// A type that is a lock ("mutex").
#define CAPABILITY(name) SLUICE_THREAD_ANNOTATION(capability(name))
// An RAII type that holds a lock for its lifetime.
#define SCOPED_CAPABILITY SLUICE_THREAD_ANNOTATION(scoped_lockable)

// Data that may be read or written only while holding the lock (read: at least shared).
#define GUARDED_BY(lock) SLUICE_THREAD_ANNOTATION(guarded_by(lock))
// The data a pointer points to is guarded, not the pointer.
#define PT_GUARDED_BY(lock) SLUICE_THREAD_ANNOTATION(pt_guarded_by(lock))

// Lock order: this lock is taken before (after) the ones named.
#define ACQUIRED_BEFORE(...) SLUICE_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) SLUICE_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// The caller must hold the locks (exclusively, or at least shared).
#define REQUIRES(...) SLUICE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) SLUICE_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))

// The function takes the locks and returns holding them.
#define ACQUIRE(...) SLUICE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) SLUICE_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))

// The function releases locks the caller held.
#define RELEASE(...) SLUICE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) SLUICE_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))

// The function tries to take the lock; it holds it when it returns `result`.
#define TRY_ACQUIRE(...) SLUICE_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) SLUICE_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))

// The caller must not hold the locks: the function takes them itself.
#define EXCLUDES(...) SLUICE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// A run-time check that the lock is held; the analysis assumes it afterwards.
#define ASSERT_CAPABILITY(lock) SLUICE_THREAD_ANNOTATION(assert_capability(lock))
#define ASSERT_SHARED_CAPABILITY(lock) SLUICE_THREAD_ANNOTATION(assert_shared_capability(lock))

// The function returns a reference to the lock named.
#define RETURN_CAPABILITY(lock) SLUICE_THREAD_ANNOTATION(lock_returned(lock))

// Turns the analysis off for one function: for what it cannot follow. Say why where it is used.
#define NO_THREAD_SAFETY_ANALYSIS SLUICE_THREAD_ANNOTATION(no_thread_safety_analysis)
