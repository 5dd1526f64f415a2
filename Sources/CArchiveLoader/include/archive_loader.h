#ifndef ORCHESTRATE_ARCHIVE_LOADER_H
#define ORCHESTRATE_ARCHIVE_LOADER_H

/// Why libarchive cannot be used (the dynamic loader's message), or NULL
/// when it is loaded. Loads it on first call.
const char *orchestrate_archive_load_error(void);

#endif
