#ifndef ORCHESTRATE_PROCESS_SUPPORT_H
#define ORCHESTRATE_PROCESS_SUPPORT_H

#include <signal.h>
#include <sys/types.h>

/// Starts `path` as a task: in a process group of its own, stdin from
/// `input` (/dev/null when negative), stdout to `output`, stderr to `errors`
/// (`output` when negative), no other descriptor, in
/// `directory` (unless NULL), with every signal of `reset` at its default
/// disposition and an empty signal mask. Leaves SIGCHLD unblocked in the
/// calling thread. `argv` and `envp` are
/// NULL-terminated. Returns the child's pid with `*error` 0; when a step
/// before exec failed, the pid of the child, which has exited and is left
/// for the caller to reap, with its errno in `*error`; -1 with `*error` set
/// when no child could be made.
pid_t orchestrate_spawn(const char *path, char *const argv[], char *const envp[], int input,
                        int output, int errors, const char *directory, const sigset_t *reset,
                        int *error);

/// Sets aside `bytes` of disk for `fd` without changing its size, so that
/// later writes up to that size cannot fail for want of space. Returns 0,
/// or the errno (EOPNOTSUPP where the file system cannot).
int orchestrate_reserve_space(int fd, long long bytes);

#endif
