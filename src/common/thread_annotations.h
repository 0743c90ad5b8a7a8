// Clang thread-safety annotations (no-ops under GCC). Put GUARDED_BY on every field a mutex guards,
// so the reader knows which lock to take and clang -Wthread-safety can check it.
#pragma once

#if defined(__clang__)
#define AVA_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define AVA_THREAD_ANNOTATION_(x)
#endif

#define GUARDED_BY(x) AVA_THREAD_ANNOTATION_(guarded_by(x))
#define PT_GUARDED_BY(x) AVA_THREAD_ANNOTATION_(pt_guarded_by(x))
#define REQUIRES(...) AVA_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) AVA_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
#define ACQUIRED_BEFORE(...) AVA_THREAD_ANNOTATION_(acquired_before(__VA_ARGS__))
