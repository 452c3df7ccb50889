#pragma once
// The wire format between ExtractWithoutOcr()/OcrPage() and archivist-extract-worker: frames of
// a little-endian u64 length followed by that many payload bytes, carrying one request or one
// response each. Both ends are the same build on the same machine, but every read is still
// bounds-checked: a worker that dies mid-frame must not make the caller read garbage.

#include <cstdint>
#include <string>
#include <string_view>

#include "archivist/base/status.h"
#include "archivist/ingest/extractor.h"

namespace archivist::ingest::worker {

// Request kinds. The kTest* kinds exist so tests can make a real worker crash or hang.
enum class RequestKind : uint8_t {
  kExtract = 1,     // payload: PDF bytes -> PendingExtraction
  kRender = 2,      // payload: page number, PDF bytes -> RenderedPage
  kTestCrash = 90,  // payload: signal number; the worker raises it
  kTestHang = 91,   // the worker sleeps until killed
  kTestAllocate = 92,  // the worker allocates until its memory limit refuses
};

// Appends fixed-width little-endian values; strings are a u64 length then the bytes.
class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v);
  void U64(uint64_t v);
  void I32(int32_t v) { U32(static_cast<uint32_t>(v)); }
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void F64(double v);
  void Bytes(std::string_view v);
  std::string& data() { return out_; }

 private:
  std::string out_;
};

// Reads what Writer wrote. Every getter returns false (and stays failed) past the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v);
  bool U32(uint32_t* v);
  bool U64(uint64_t* v);
  bool I32(int32_t* v);
  bool I64(int64_t* v);
  bool F64(double* v);
  bool Bytes(std::string* v);
  // A view into the input instead of a copy (the PDF bytes of a request).
  bool BytesView(std::string_view* v);
  bool AtEnd() const { return !failed_ && pos_ == in_.size(); }

 private:
  bool Take(size_t n, const char** p);
  std::string_view in_;
  size_t pos_ = 0;
  bool failed_ = false;
};

// The options Poppler's side uses. The deadline travels as the microseconds left (-1: none), so
// the format does not depend on the two processes sharing a clock.
void WriteOptions(const ExtractOptions& options, Writer* w);
bool ReadOptions(Reader* r, ExtractOptions* options);

void WritePage(const Page& page, Writer* w);
bool ReadPage(Reader* r, Page* page);
void WriteDocument(const ExtractedDocument& document, Writer* w);
bool ReadDocument(Reader* r, ExtractedDocument* document);
void WritePending(const PendingExtraction& pending, Writer* w);
bool ReadPending(Reader* r, PendingExtraction* pending);

// A page rendered for OCR: 8-bit gray in Leptonica's in-memory layout (32-bit words, rows padded
// to whole words), which both ends share since they are the same build on the same machine.
struct RenderedPage {
  int32_t width = 0;
  int32_t height = 0;
  int32_t dpi = 0;
  std::string pixels;
};
void WriteRendered(const RenderedPage& page, Writer* w);
bool ReadRendered(Reader* r, RenderedPage* page);

// A response starts with the Status (code, message); the result follows only when it is OK.
void WriteStatus(const Status& status, Writer* w);
bool ReadStatus(Reader* r, Status* status);

// Blocking frame I/O on a socket, for the worker side (the caller's side adds deadlines).
// ReadFrame returns false on EOF or error.
bool WriteFrame(int fd, std::string_view payload);
bool ReadFrame(int fd, std::string* payload);

// Frames above this are refused: the PDF input is capped at 2 GiB by OpenPdf, and a rendered page
// by max_page_pixels.
constexpr uint64_t kMaxFrameBytes = uint64_t{4} << 30;

}  // namespace archivist::ingest::worker
