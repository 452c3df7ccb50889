#include "ocr.h"

#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "deadline.h"
#include "preprocess.h"
#include "text_util.h"

namespace archivist::ingest {

PixHolder& PixHolder::operator=(PixHolder&& other) noexcept {
  if (this != &other) {
    if (pix_ != nullptr) pixDestroy(&pix_);
    pix_ = other.pix_;
    other.pix_ = nullptr;
  }
  return *this;
}

PixHolder::~PixHolder() {
  if (pix_ != nullptr) pixDestroy(&pix_);
}

void SilenceLeptonica() {
  static std::once_flag once;
  std::call_once(once, [] { setMsgSeverity(L_SEVERITY_NONE); });
}

namespace {

struct EngineDeleter {
  void operator()(tesseract::TessBaseAPI* api) const {
    api->End();
    delete api;
  }
};
using Engine = std::unique_ptr<tesseract::TessBaseAPI, EngineDeleter>;

// One engine per (thread, data dir, language, mode): TessBaseAPI is not thread-safe and its
// start-up (loading the model) costs far more than a page, so it is kept for the thread's life.
Result<tesseract::TessBaseAPI*> GetEngine(const std::string& datapath, const std::string& languages,
                                          tesseract::OcrEngineMode mode) {
  thread_local std::map<std::string, Engine> engines;
  const std::string key = datapath + '\n' + languages + '\n' + std::to_string(mode);
  auto it = engines.find(key);
  if (it != engines.end()) return it->second.get();
  Engine api(new tesseract::TessBaseAPI());
  // Keep Tesseract's diagnostics ("Estimating resolution", "Empty page") off stderr.
  api->SetVariable("debug_file", "/dev/null");
  if (api->Init(datapath.empty() ? nullptr : datapath.c_str(), languages.c_str(), mode) != 0) {
    return Status::Unavailable(
        "tesseract could not load language data '" + languages + "' from " +
        (datapath.empty() ? "its default tessdata directory" : "'" + datapath + "'"));
  }
  api->SetVariable("debug_file", "/dev/null");
  tesseract::TessBaseAPI* raw = api.get();
  engines.emplace(key, std::move(api));
  return raw;
}

// Tidies Tesseract's output: trailing blanks removed, runs of blank lines become one.
std::string TidyOcrText(const std::string& raw) {
  std::string normalized = NormalizeText(raw);
  std::string out;
  size_t pos = 0;
  int blank_run = 0;
  while (pos <= normalized.size()) {
    size_t end = normalized.find('\n', pos);
    if (end == std::string::npos) end = normalized.size();
    std::string_view line(normalized.data() + pos, end - pos);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (TrimAscii(line).empty()) {
      ++blank_run;
    } else {
      if (!out.empty()) out += blank_run > 0 ? "\n\n" : "\n";
      out.append(line.data(), line.size());
      blank_run = 0;
    }
    pos = end + 1;
  }
  return out;
}

// Clockwise quarter turns that make the text upright, from Tesseract's OSD; 0 when unsure.
int DetectUprightQuarterTurns(Pix* pix, int dpi, const ExtractOptions& options) {
  auto osd = GetEngine(options.tessdata_dir, "osd", tesseract::OEM_TESSERACT_ONLY);
  if (!osd.ok()) return 0;  // no OSD data: recognition still works, just without auto-rotation
  tesseract::TessBaseAPI* api = *osd;
  // Orientation shows just as well at 150 dpi and up, for a fraction of the cost.
  PixHolder half;
  if (dpi >= 250) {
    half = PixHolder(pixGetDepth(pix) == 1 ? pixScaleToGray2(pix) : pixScale(pix, 0.5f, 0.5f));
  }
  api->SetPageSegMode(tesseract::PSM_OSD_ONLY);
  api->SetImage(half ? half.get() : pix);
  if (dpi > 0) api->SetSourceResolution(half ? dpi / 2 : dpi);
  int orient_deg = 0;
  float orient_conf = 0;
  const char* script = nullptr;
  float script_conf = 0;
  const bool found = api->DetectOrientationScript(&orient_deg, &orient_conf, &script, &script_conf);
  api->Clear();
  // Low-confidence guesses on sparse or tiny pages do more harm than good: a wrongly flipped page
  // loses all its text. Full pages score 12-20, a few lines about 7, and a false 180 on a
  // 120-point page scored 2.7.
  if (!found || orient_conf < 5.0f) return 0;
  // orient_deg is how far the content is turned clockwise; undo it with the remaining turns.
  const int content_turns = ((orient_deg / 90) % 4 + 4) % 4;
  return (4 - content_turns) % 4;
}

// Tesseract polls this once per word during recognition; true stops it.
bool PastDeadline(void* deadline, int /*words*/) {
  return DeadlinePassed(*static_cast<const std::chrono::steady_clock::time_point*>(deadline));
}

// Under this mean word confidence (or with no text at all) a page recognized as it is gets
// orientation detection. Measured with archivist_ingest_eval (ingest/README.md): 60 pages of
// tesseract-test, SROIE and FUNSD turned 180 and 270 degrees read at 24-53, upright SROIE and
// FUNSD pages at 42-95 (4 of 209 under 55). A page turned 90 degrees clockwise needs no help:
// Tesseract's layout analysis finds its vertical lines and reads it at upright confidence.
constexpr float kOrientationCheckConfidence = 55.0f;

struct Reading {
  std::string text;
  float confidence = 0.0f;
};

// Recognizes the image `api` holds. Leaves the image set (the caller clears it).
Result<Reading> RecognizeHeld(tesseract::TessBaseAPI* api, const ExtractOptions& options,
                              int page_number) {
  // Layout analysis runs unmonitored (bounded by the page's pixel budget); recognition polls the
  // deadline per word.
  tesseract::ETEXT_DESC monitor;
  monitor.cancel = &PastDeadline;
  monitor.cancel_this = const_cast<std::chrono::steady_clock::time_point*>(&options.deadline);
  const int recognized = api->Recognize(&monitor);
  if (DeadlinePassed(options.deadline)) return TimeoutError("recognition", page_number, 0);
  if (recognized != 0) {
    return Status::Internal("tesseract failed to recognize page " + std::to_string(page_number));
  }
  std::unique_ptr<char[]> text(api->GetUTF8Text());
  if (text == nullptr) return Status::Internal("tesseract failed to recognize the page");
  Reading reading;
  reading.text = TidyOcrText(text.get());
  reading.confidence = reading.text.empty() ? 0.0f : static_cast<float>(api->MeanTextConf());
  return reading;
}

// Hands `pix` to `api` (which copies it) at `dpi` (0 = let Tesseract estimate).
void SetPage(tesseract::TessBaseAPI* api, Pix* pix, int dpi) {
  api->SetPageSegMode(tesseract::PSM_AUTO);
  api->SetImage(pix);
  // Unknown resolution: Tesseract estimates it from the text size. Telling it 300 dpi for a
  // 100-dpi fax raised the error rate on FUNSD forms from 0.30 to 0.38.
  if (dpi > 0) api->SetSourceResolution(dpi);
}

}  // namespace

Result<OcrPageResult> OcrImage(PixHolder pix, int dpi, const ExtractOptions& options,
                               int page_number) {
  SilenceLeptonica();
  OcrPageResult result;
  // Tesseract takes 1, 8 and 32 bpp as they are (a bilevel scan skips its thresholding step);
  // only palettes and odd depths are converted.
  PixHolder converted;
  Pix* input = pix.get();
  const int depth = pixGetDepth(input);
  if (pixGetColormap(input) != nullptr || (depth != 1 && depth != 8 && depth != 32)) {
    converted = PixHolder(pixConvertTo8(input, 0));
    if (!converted) return Status::Corruption("image could not be converted for OCR");
    input = converted.get();
  }
  PixHolder rotated;
  const bool osd_first = options.auto_rotate && options.auto_rotate_always;
  if (osd_first) {
    ARCHIVIST_RETURN_IF_ERROR(CheckDeadline(options, "orientation detection", page_number, 0));
    const int turns = DetectUprightQuarterTurns(input, dpi, options);
    result.preprocess_steps.push_back("osd");
    if (turns != 0) {
      rotated = PixHolder(pixRotateOrth(input, turns));
      if (rotated) {
        input = rotated.get();
        result.rotation_degrees = turns * 90;
      }
    }
  }
  ARCHIVIST_RETURN_IF_ERROR(CheckDeadline(options, "OCR preprocessing", page_number, 0));
  PreprocessedImage cleaned = PreprocessForOcr(input, dpi, options.preprocess);
  if (cleaned.pix) {
    input = cleaned.pix.get();
    dpi = cleaned.dpi;
  }
  result.preprocess_steps.insert(result.preprocess_steps.end(), cleaned.steps.begin(),
                                 cleaned.steps.end());
  result.skew_degrees = cleaned.skew_degrees;
  ARCHIVIST_RETURN_IF_ERROR(CheckDeadline(options, "OCR", page_number, 0));
  ARCHIVIST_ASSIGN_OR_RETURN(
      tesseract::TessBaseAPI * api,
      GetEngine(options.tessdata_dir, options.ocr_languages, tesseract::OEM_LSTM_ONLY));
  SetPage(api, input, dpi);
  // Tesseract copied the image (a clone would keep its own reference): ours can go now.
  cleaned.pix = PixHolder();
  rotated = PixHolder();
  converted = PixHolder();
  pix = PixHolder();
  Result<Reading> reading = RecognizeHeld(api, options, page_number);
  if (!reading.ok()) {
    api->Clear();
    return reading.status();
  }
  // Almost every page of an archive is upright, and an upright page reads with confidence, so
  // orientation detection is paid only for a reading that looks wrong: a page turned sideways or
  // upside down reads as scattered low-confidence fragments. The turned page is then recognized
  // again, from the cleaned copy Tesseract holds.
  if (options.auto_rotate && !osd_first &&
      reading->confidence < kOrientationCheckConfidence) {
    // A reference to the cleaned page outlives Clear(), which drops the first reading's layout
    // and recognition state before OSD and the turned copy add their own images.
    PixHolder held(api->GetInputImage() != nullptr ? pixClone(api->GetInputImage()) : nullptr);
    api->Clear();
    ARCHIVIST_RETURN_IF_ERROR(CheckDeadline(options, "orientation detection", page_number, 0));
    const int turns = held ? DetectUprightQuarterTurns(held.get(), dpi, options) : 0;
    result.preprocess_steps.push_back("osd");
    if (turns != 0) rotated = PixHolder(pixRotateOrth(held.get(), turns));
    held = PixHolder();
    if (rotated) {
      // Deskew measured on a sideways page is meaningless: measure it again upright.
      // (The other steps already ran on the image Tesseract held.)
      PreprocessOptions deskew_only;
      deskew_only.deskew = options.preprocess.deskew;
      PreprocessedImage straight = PreprocessForOcr(rotated.get(), dpi, deskew_only);
      if (straight.pix) {
        rotated = std::move(straight.pix);
        dpi = straight.dpi;
      }
      SetPage(api, rotated.get(), dpi);
      rotated = PixHolder();
      Result<Reading> turned = RecognizeHeld(api, options, page_number);
      api->Clear();
      if (!turned.ok()) return turned.status();
      if (turned->confidence > reading->confidence) {
        reading = std::move(turned);
        result.rotation_degrees = turns * 90;
        result.skew_degrees = straight.skew_degrees;
      }
    }
  }
  api->Clear();
  result.text = std::move(reading->text);
  result.confidence = reading->confidence;
  return result;
}

}  // namespace archivist::ingest
