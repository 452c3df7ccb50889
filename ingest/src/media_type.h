#pragma once
// Private helpers around type detection.

#include <cstddef>
#include <string>
#include <string_view>

namespace archivist::ingest {

// Offset of "%PDF-" within the first 1 KiB, or npos.
size_t FindPdfHeader(std::string_view bytes);

// No "%PDF-" header, but an indirect object near the start and a trailer near the end.
bool LooksLikeHeaderlessPdf(std::string_view bytes);

// libmagic's description of bytes we do not handle, for the "unsupported" message.
std::string DescribeUnknownContent(std::string_view bytes);

}  // namespace archivist::ingest
