#include <archive.h>
#include <archive_entry.h>
// zlib for crc32(): libarchive does not check a gzip stream's CRC when reading,
// so archives are verified against checksums taken while they are written.
#include <zlib.h>
