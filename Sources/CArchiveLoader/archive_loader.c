// libarchive is loaded on first use rather than at every start: with the
// libraries it needs (libxml2, ICU, nettle, lzma, zstd, lz4, bz2, acl) it
// cost 1.6 ms of the start of every command, most of which never touch an
// archive. The functions orchestrate calls are defined here, hidden (so that
// libarchive's own calls never come back here), and forward to the library.
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

#include "archive_loader.h"

#pragma GCC visibility push(hidden)
#include <archive.h>
#include <archive_entry.h>

// The functions used: return type, name, parameters, arguments.
#define ARCHIVE_FUNCTIONS(X, V)                                                                   \
  X(struct archive *, archive_read_new, (void), ())                                               \
  X(int, archive_read_free, (struct archive * a), (a))                                            \
  X(int, archive_read_support_format_tar, (struct archive * a), (a))                              \
  X(int, archive_read_support_filter_gzip, (struct archive * a), (a))                             \
  X(int, archive_read_support_filter_zstd, (struct archive * a), (a))                             \
  X(int, archive_read_open_filename, (struct archive * a, const char *f, size_t b), (a, f, b))    \
  X(int, archive_read_next_header, (struct archive * a, struct archive_entry **e), (a, e))        \
  X(la_ssize_t, archive_read_data, (struct archive * a, void *d, size_t n), (a, d, n))            \
  X(struct archive *, archive_write_new, (void), ())                                              \
  X(int, archive_write_free, (struct archive * a), (a))                                           \
  X(int, archive_write_add_filter_gzip, (struct archive * a), (a))                                \
  X(int, archive_write_add_filter_zstd, (struct archive * a), (a))                                \
  X(int, archive_write_set_format_pax_restricted, (struct archive * a), (a))                      \
  X(int, archive_write_set_filter_option,                                                         \
    (struct archive * a, const char *m, const char *o, const char *v), (a, m, o, v))              \
  X(int, archive_write_set_bytes_per_block, (struct archive * a, int n), (a, n))                  \
  X(int, archive_write_set_bytes_in_last_block, (struct archive * a, int n), (a, n))              \
  X(int, archive_write_open_fd, (struct archive * a, int fd), (a, fd))                            \
  X(int, archive_write_header, (struct archive * a, struct archive_entry *e), (a, e))             \
  X(la_ssize_t, archive_write_data, (struct archive * a, const void *d, size_t n), (a, d, n))     \
  X(int, archive_write_fail, (struct archive * a), (a))                                           \
  X(int, archive_write_close, (struct archive * a), (a))                                          \
  X(const char *, archive_error_string, (struct archive * a), (a))                                \
  X(struct archive_entry *, archive_entry_new, (void), ())                                        \
  V(archive_entry_free, (struct archive_entry * e), (e))                                          \
  X(const char *, archive_entry_pathname, (struct archive_entry * e), (e))                        \
  X(const char *, archive_entry_pathname_utf8, (struct archive_entry * e), (e))                   \
  X(la_int64_t, archive_entry_size, (struct archive_entry * e), (e))                              \
  X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry * e), (e))                         \
  V(archive_entry_set_pathname_utf8, (struct archive_entry * e, const char *p), (e, p))          \
  V(archive_entry_set_symlink_utf8, (struct archive_entry * e, const char *p), (e, p))           \
  V(archive_entry_set_filetype, (struct archive_entry * e, unsigned int t), (e, t))              \
  V(archive_entry_set_perm, (struct archive_entry * e, __LA_MODE_T m), (e, m))                   \
  V(archive_entry_set_size, (struct archive_entry * e, la_int64_t s), (e, s))                    \
  V(archive_entry_set_uid, (struct archive_entry * e, la_int64_t u), (e, u))                     \
  V(archive_entry_set_gid, (struct archive_entry * e, la_int64_t g), (e, g))                     \
  V(archive_entry_set_mtime, (struct archive_entry * e, time_t s, long n), (e, s, n))

#define POINTER(type, name, parameters, arguments) static type(*real_##name) parameters;
#define VOID_POINTER(name, parameters, arguments) static void(*real_##name) parameters;
ARCHIVE_FUNCTIONS(POINTER, VOID_POINTER)

static pthread_once_t loaded = PTHREAD_ONCE_INIT;
static const char *load_error;

static void load(void) {
  void *library = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    load_error = dlerror();
    return;
  }
#define RESOLVE(type, name, parameters, arguments) \
  if ((*(void **)&real_##name = dlsym(library, #name)) == NULL) load_error = "libarchive lacks " #name;
#define VOID_RESOLVE(name, parameters, arguments) RESOLVE(void, name, parameters, arguments)
  ARCHIVE_FUNCTIONS(RESOLVE, VOID_RESOLVE)
}

const char *orchestrate_archive_load_error(void) {
  pthread_once(&loaded, load);
  return load_error;
}

// The constructors report a library that cannot be loaded by returning NULL,
// which their callers already handle; everything else needs an object they made.
#define FORWARD(type, name, parameters, arguments)         \
  type name parameters {                                   \
    if (orchestrate_archive_load_error() != NULL) return (type)0; \
    return real_##name arguments;                          \
  }
#define VOID_FORWARD(name, parameters, arguments)          \
  void name parameters {                                   \
    if (orchestrate_archive_load_error() != NULL) return;  \
    real_##name arguments;                                 \
  }
ARCHIVE_FUNCTIONS(FORWARD, VOID_FORWARD)
