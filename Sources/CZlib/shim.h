// zlib's deflate, for serve's gzip answers (Debian: zlib1g-dev).
#include <zlib.h>
