#define _GNU_SOURCE
#include "process_support.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

// Why not posix_spawn: glibc's child queries and resets all 64 signal
// dispositions (about 120 system calls) and its file actions check each
// descriptor against the limit, while the parent waits; starting a short
// task took a third longer than it does here. The steps are the same.

/// Makes `target` a copy of `fd` that survives exec (dup2 onto itself
/// would leave the close-on-exec flag set).
static int move_to(int fd, int target) {
  if (fd == target) return fcntl(target, F_SETFD, 0);
  return dup2(fd, target) < 0 ? -1 : 0;
}

/// `fd`, or a copy of it numbered 3 or more when it is 0, 1 or 2.
static int above_standard(int fd) {
  return fd > 2 ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

static void close_from(int first) {
  if (close_range((unsigned)first, ~0U, 0) == 0) return;
  for (int fd = first; fd < 4096; fd++) close(fd);
}

pid_t orchestrate_spawn(const char *path, char *const argv[], char *const envp[], int input,
                        int output, int errors, const char *directory, const sigset_t *reset,
                        int *error) {
  // Blocked in the child until its handlers are gone: a handler of ours must
  // never run in it, on memory it shares with us until exec.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  volatile int failure = 0;
  pid_t pid = vfork();
  if (pid == 0) {
    // Only system calls from here on: the child borrows this thread's stack
    // and memory until execve or _exit.
    // The kernel's own call: glibc's sigaction refuses its two internal
    // signals, which a parent started through posix_spawn leaves ignored.
    static const unsigned long standard[4] = {0};  // SIG_DFL, no flags, empty mask
    for (int number = 1; number < NSIG; number++) {
      if (number == __SIGRTMIN || number == __SIGRTMIN + 1 || sigismember(reset, number) == 1) {
        syscall(SYS_rt_sigaction, number, standard, NULL, sizeof(unsigned long));
      }
    }
    if (setpgid(0, 0) < 0) goto failed;
    // Above 2 first, so that placing one cannot overwrite another (a
    // descriptor of ours may be 0, 1 or 2 when cron started us with them closed).
    if (input < 0) input = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (errors < 0) errors = output;
    if (input < 0 || (input = above_standard(input)) < 0) goto failed;
    if ((output = above_standard(output)) < 0 || (errors = above_standard(errors)) < 0) goto failed;
    if (move_to(input, 0) < 0 || move_to(output, 1) < 0 || move_to(errors, 2) < 0) goto failed;
    close_from(3);
    if (directory != NULL && chdir(directory) < 0) goto failed;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(path, argv, envp);
  failed:
    failure = errno;
    _exit(127);
  }
  // vfork returns once the child has exec'd or exited.
  *error = pid < 0 ? errno : failure;
  // A child's SIGCHLD goes to the thread that started it. Blocked there
  // (dispatch's threads block most signals), the kernel keeps it pending
  // rather than dropping it, and every task's end then wakes other threads
  // to no purpose. Unblocked, at its default disposition, it is dropped when
  // sent; wait4 is unaffected.
  sigdelset(&previous, SIGCHLD);
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  return pid;
}

int orchestrate_reserve_space(int fd, long long bytes) {
  // KEEP_SIZE: the blocks are the file's, its size (and so where an
  // O_APPEND write lands) is unchanged.
  return fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)bytes) == 0 ? 0 : errno;
}
