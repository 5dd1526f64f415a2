#ifndef ORCHESTRATE_PROCESS_SUPPORT_H
#define ORCHESTRATE_PROCESS_SUPPORT_H

#include <spawn.h>

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34): close every
/// descriptor from `from` upwards in the child, so tasks inherit nothing.
int orchestrate_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int from);

/// posix_spawn_file_actions_addchdir_np (glibc 2.29): the child's working
/// directory, set before exec without touching the parent's.
int orchestrate_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path);

#endif
