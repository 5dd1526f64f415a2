// What serve calls that Swift's Glibc module does not import.
// zlib's deflate, for gzip answers (Debian: zlib1g-dev).
#include <zlib.h>
// malloc_trim, to hand back what a computation freed.
#include <malloc.h>
