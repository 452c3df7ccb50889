// Serialization of extraction requests and results for the PDF worker (pdf_worker_protocol.h).

#include "pdf_worker_protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>

namespace archivist::ingest::worker {

void Writer::U32(uint32_t v) {
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Writer::U64(uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Writer::F64(double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  U64(bits);
}

void Writer::Bytes(std::string_view v) {
  U64(v.size());
  out_.append(v);
}

bool Reader::Take(size_t n, const char** p) {
  if (failed_ || in_.size() - pos_ < n) {
    failed_ = true;
    return false;
  }
  *p = in_.data() + pos_;
  pos_ += n;
  return true;
}

bool Reader::U8(uint8_t* v) {
  const char* p = nullptr;
  if (!Take(1, &p)) return false;
  *v = static_cast<uint8_t>(*p);
  return true;
}

bool Reader::U32(uint32_t* v) {
  const char* p = nullptr;
  if (!Take(4, &p)) return false;
  *v = 0;
  for (int i = 0; i < 4; ++i) *v |= uint32_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return true;
}

bool Reader::U64(uint64_t* v) {
  const char* p = nullptr;
  if (!Take(8, &p)) return false;
  *v = 0;
  for (int i = 0; i < 8; ++i) *v |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return true;
}

bool Reader::I32(int32_t* v) {
  uint32_t u = 0;
  if (!U32(&u)) return false;
  *v = static_cast<int32_t>(u);
  return true;
}

bool Reader::I64(int64_t* v) {
  uint64_t u = 0;
  if (!U64(&u)) return false;
  *v = static_cast<int64_t>(u);
  return true;
}

bool Reader::F64(double* v) {
  uint64_t bits = 0;
  if (!U64(&bits)) return false;
  std::memcpy(v, &bits, sizeof bits);
  return true;
}

bool Reader::BytesView(std::string_view* v) {
  uint64_t n = 0;
  const char* p = nullptr;
  if (!U64(&n) || n > in_.size() || !Take(static_cast<size_t>(n), &p)) {
    failed_ = true;
    return false;
  }
  *v = std::string_view(p, static_cast<size_t>(n));
  return true;
}

bool Reader::Bytes(std::string* v) {
  std::string_view view;
  if (!BytesView(&view)) return false;
  v->assign(view);
  return true;
}

namespace {

bool Bool(Reader* r, bool* v) {
  uint8_t b = 0;
  if (!r->U8(&b) || b > 1) return false;
  *v = b == 1;
  return true;
}

bool Int(Reader* r, int* v) {
  int32_t i = 0;
  if (!r->I32(&i)) return false;
  *v = i;
  return true;
}

}  // namespace

void WriteOptions(const ExtractOptions& o, Writer* w) {
  w->I32(o.ocr_dpi);
  w->I64(o.max_page_pixels);
  w->U8(o.enable_ocr ? 1 : 0);
  w->I32(o.min_text_chars);
  w->Bytes(o.pdf_password);
  w->I32(o.max_pages);
  w->U8(o.remove_headers_footers ? 1 : 0);
  int64_t left_us = -1;
  if (o.deadline != std::chrono::steady_clock::time_point::max()) {
    const auto left = o.deadline - std::chrono::steady_clock::now();
    left_us = std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::microseconds>(left).count());
  }
  w->I64(left_us);
}

bool ReadOptions(Reader* r, ExtractOptions* o) {
  int64_t left_us = -1;
  if (!Int(r, &o->ocr_dpi) || !r->I64(&o->max_page_pixels) || !Bool(r, &o->enable_ocr) ||
      !Int(r, &o->min_text_chars) || !r->Bytes(&o->pdf_password) || !Int(r, &o->max_pages) ||
      !Bool(r, &o->remove_headers_footers) || !r->I64(&left_us)) {
    return false;
  }
  o->deadline = left_us < 0 ? std::chrono::steady_clock::time_point::max()
                            : std::chrono::steady_clock::now() +
                                  std::chrono::microseconds(left_us);
  // The worker only ever runs Poppler; it must not recurse into another worker.
  o->isolate_pdf = false;
  return true;
}

void WritePage(const Page& p, Writer* w) {
  w->I32(p.number);
  w->Bytes(p.text);
  w->U8(static_cast<uint8_t>(p.source));
  w->F64(p.ocr_confidence);
  w->I32(p.rotation_degrees);
  w->F64(p.width_pt);
  w->F64(p.height_pt);
  w->U32(static_cast<uint32_t>(p.preprocess_steps.size()));
  for (const std::string& step : p.preprocess_steps) w->Bytes(step);
  w->F64(p.skew_degrees);
}

bool ReadPage(Reader* r, Page* p) {
  uint8_t source = 0;
  double confidence = 0;
  uint32_t steps = 0;
  if (!Int(r, &p->number) || !r->Bytes(&p->text) || !r->U8(&source) ||
      source > static_cast<uint8_t>(PageSource::kMixed) || !r->F64(&confidence) ||
      !Int(r, &p->rotation_degrees) || !r->F64(&p->width_pt) || !r->F64(&p->height_pt) ||
      !r->U32(&steps)) {
    return false;
  }
  p->source = static_cast<PageSource>(source);
  p->ocr_confidence = static_cast<float>(confidence);
  p->preprocess_steps.clear();
  for (uint32_t i = 0; i < steps; ++i) {
    std::string step;
    if (!r->Bytes(&step)) return false;
    p->preprocess_steps.push_back(std::move(step));
  }
  return r->F64(&p->skew_degrees);
}

void WriteDocument(const ExtractedDocument& d, Writer* w) {
  w->U8(static_cast<uint8_t>(d.media_type));
  for (const std::string* field : {&d.metadata.title, &d.metadata.author, &d.metadata.subject,
                                   &d.metadata.producer, &d.metadata.created,
                                   &d.metadata.modified}) {
    w->Bytes(*field);
  }
  w->U32(static_cast<uint32_t>(d.pages.size()));
  for (const Page& page : d.pages) WritePage(page, w);
}

bool ReadDocument(Reader* r, ExtractedDocument* d) {
  uint8_t type = 0;
  if (!r->U8(&type) || type > static_cast<uint8_t>(MediaType::kMarkdown)) return false;
  d->media_type = static_cast<MediaType>(type);
  for (std::string* field : {&d->metadata.title, &d->metadata.author, &d->metadata.subject,
                             &d->metadata.producer, &d->metadata.created,
                             &d->metadata.modified}) {
    if (!r->Bytes(field)) return false;
  }
  uint32_t pages = 0;
  if (!r->U32(&pages)) return false;
  d->pages.clear();
  for (uint32_t i = 0; i < pages; ++i) {
    Page page;
    if (!ReadPage(r, &page)) return false;
    d->pages.push_back(std::move(page));
  }
  return true;
}

void WritePending(const PendingExtraction& p, Writer* w) {
  WriteDocument(p.document, w);
  w->U32(static_cast<uint32_t>(p.ocr_pages.size()));
  for (int number : p.ocr_pages) w->I32(number);
}

bool ReadPending(Reader* r, PendingExtraction* p) {
  uint32_t count = 0;
  if (!ReadDocument(r, &p->document) || !r->U32(&count)) return false;
  p->ocr_pages.clear();
  for (uint32_t i = 0; i < count; ++i) {
    int number = 0;
    if (!Int(r, &number) || number < 1 || static_cast<size_t>(number) > p->document.pages.size()) {
      return false;
    }
    p->ocr_pages.push_back(number);
  }
  return true;
}

void WriteRendered(const RenderedPage& p, Writer* w) {
  w->I32(p.width);
  w->I32(p.height);
  w->I32(p.dpi);
  w->Bytes(p.pixels);
}

bool ReadRendered(Reader* r, RenderedPage* p) {
  if (!r->I32(&p->width) || !r->I32(&p->height) || !r->I32(&p->dpi) || !r->Bytes(&p->pixels)) {
    return false;
  }
  return p->width > 0 && p->height > 0 &&
         p->pixels.size() == (static_cast<size_t>(p->width) + 3) / 4 * 4 * static_cast<size_t>(p->height);
}

void WriteStatus(const Status& status, Writer* w) {
  w->I32(static_cast<int32_t>(status.code()));
  w->Bytes(status.message());
}

bool ReadStatus(Reader* r, Status* status) {
  int32_t code = 0;
  std::string message;
  if (!r->I32(&code) || !r->Bytes(&message)) return false;
  if (code < 0 || code > static_cast<int32_t>(StatusCode::kAlreadyExists)) return false;
  *status = Status(static_cast<StatusCode>(code), std::move(message));
  return true;
}

namespace {

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool ReadAll(int fd, char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = recv(fd, data, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

bool WriteFrame(int fd, std::string_view payload) {
  Writer header;
  header.U64(payload.size());
  return WriteAll(fd, header.data().data(), header.data().size()) &&
         WriteAll(fd, payload.data(), payload.size());
}

bool ReadFrame(int fd, std::string* payload) {
  char header[8];
  if (!ReadAll(fd, header, sizeof header)) return false;
  uint64_t size = 0;
  Reader(std::string_view(header, sizeof header)).U64(&size);
  if (size > kMaxFrameBytes) return false;
  payload->resize(static_cast<size_t>(size));
  return ReadAll(fd, payload->data(), payload->size());
}

}  // namespace archivist::ingest::worker
