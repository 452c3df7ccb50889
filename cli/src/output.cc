#include "output.h"

#include <algorithm>
#include <iostream>
#include <map>

namespace archivist::cli {

std::string ShortId(const std::string& doc_id) { return doc_id.substr(0, 12); }

nlohmann::json ToJson(const index::SearchHit& h) {
  return {{"doc_id", h.doc_id},         {"title", h.title},
          {"source_path", h.source_path}, {"collection", h.collection},
          {"page", h.page},             {"last_page", h.last_page},
          {"chunk_id", h.chunk_id},     {"score", h.score},
          {"lexical_rank", h.lexical_rank}, {"dense_rank", h.dense_rank},
          {"snippet", h.snippet}};
}

namespace {

nlohmann::json CitationsJson(const std::vector<pipeline::Citation>& citations) {
  nlohmann::json cites = nlohmann::json::array();
  for (const pipeline::Citation& c : citations) {
    cites.push_back({{"key", c.key}, {"doc_id", c.doc_id}, {"title", c.title},
                     {"source_path", c.source_path}, {"page", c.page}, {"begin", c.begin},
                     {"end", c.end}, {"chunk_id", c.chunk_id}});
  }
  return cites;
}

}  // namespace

static nlohmann::json PiiJson(const std::vector<pipeline::PiiMatch>& found, bool redacted) {
  std::map<std::string, int> kinds;
  for (const auto& m : found) kinds[std::string(pipeline::PiiKindName(m.kind))]++;
  return {{"redacted", redacted}, {"found", kinds}};
}

nlohmann::json ToJson(const pipeline::Summary& s) {
  nlohmann::json sections = nlohmann::json::array();
  for (const pipeline::SummarySection& sec : s.sections) {
    sections.push_back({{"doc_id", sec.doc_id}, {"document_title", sec.document_title},
                        {"heading", sec.heading}, {"sentences", sec.sentences},
                        {"citation_keys", sec.citation_keys}});
  }
  return {{"summary", s.text}, {"extractive", s.extractive}, {"documents", s.documents},
          {"sections", sections}, {"citations", CitationsJson(s.citations)},
          {"personal_identifiers", PiiJson(s.pii, s.redacted)}};
}

nlohmann::json ToJson(const pipeline::Answer& a) {
  nlohmann::json cites = CitationsJson(a.citations);
  return {{"answer", a.text},           {"found", a.found},
          {"extractive", a.extractive}, {"sentences", a.sentences},
          {"citations", cites},         {"personal_identifiers", PiiJson(a.pii, a.redacted)}};
}

nlohmann::json ToJson(const pipeline::FileResult& r) {
  nlohmann::json j = {{"path", r.path}, {"outcome", pipeline::OutcomeName(r.outcome)},
                      {"doc_id", r.doc_id}, {"media_type", r.media_type}, {"pages", r.pages},
                      {"ocr_pages", r.ocr_pages}, {"chunks", r.chunks}, {"seconds", r.seconds}};
  if (r.unchanged) j["unchanged"] = true;
  if (!r.replaced_doc_id.empty()) j["replaced_doc_id"] = r.replaced_doc_id;
  if (r.outcome == pipeline::Outcome::kFailed) {
    j["stage"] = r.stage;
    j["error"] = r.error.ToString();
    j["error_code"] = std::string(StatusCodeName(r.error.code()));
  }
  return j;
}

nlohmann::json ToJson(const index::DocumentRecord& d) {
  return {{"doc_id", d.doc_id},       {"title", d.title},
          {"source_path", d.source_path}, {"media_type", d.media_type},
          {"author", d.author},       {"subject", d.subject},
          {"created", d.created},     {"modified", d.modified},
          {"collection", d.collection}, {"tags", d.tags},
          {"pages", d.page_count},    {"chunks", d.chunk_count},
          {"ingested_at", d.ingested_at}, {"size_bytes", d.size_bytes}};
}

nlohmann::json ReportJson(const pipeline::IngestReport& r) {
  nlohmann::json files = nlohmann::json::array();
  nlohmann::json failures = nlohmann::json::array();
  std::map<std::string, std::map<std::string, int>> by_type;
  for (const auto& f : r.files) {
    files.push_back(ToJson(f));
    if (f.outcome == pipeline::Outcome::kFailed) failures.push_back(ToJson(f));
    by_type[f.media_type.empty() ? "unknown" : f.media_type][std::string(
        pipeline::OutcomeName(f.outcome))]++;
  }
  std::vector<const pipeline::FileResult*> slowest;
  for (const auto& f : r.files) slowest.push_back(&f);
  std::sort(slowest.begin(), slowest.end(),
            [](const auto* a, const auto* b) { return a->seconds > b->seconds; });
  if (slowest.size() > 10) slowest.resize(10);
  nlohmann::json slow = nlohmann::json::array();
  for (const auto* f : slowest) {
    slow.push_back({{"path", f->path}, {"seconds", f->seconds}, {"pages", f->pages}});
  }
  const pipeline::StageTotals& st = r.stage_seconds;
  return {{"ingested", r.ingested},
          {"duplicates", r.duplicates},
          {"unchanged", r.unchanged},
          {"replaced", r.replaced},
          {"retired", r.retired},
          {"failed", r.failed},
          {"timeouts", r.timeouts},
          {"commits", r.commits},
          {"cancelled", r.cancelled},
          {"pages", r.pages},
          {"ocr_pages", r.ocr_pages},
          {"text_pages", r.pages - r.ocr_pages},
          {"chunks", r.chunks},
          {"seconds", r.seconds},
          {"threads", r.threads},
          {"pages_per_s", r.seconds > 0 ? r.pages / r.seconds : 0.0},
          {"ocr_peak_megapixels", r.ocr_peak_megapixels},
          {"ocr_budget_waits", r.ocr_budget_waits},
          {"by_type", by_type},
          {"stage_seconds",
           {{"read", st.read}, {"extract", st.extract}, {"ocr", st.ocr}, {"chunk", st.build},
            {"embed", st.embed}, {"commit", st.commit}}},
          {"slowest", slow},
          {"failures", failures},
          {"files", files}};
}

void PrintHits(const std::vector<index::SearchHit>& hits, bool json) {
  if (json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& h : hits) arr.push_back(ToJson(h));
    std::cout << nlohmann::json{{"hits", arr}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  if (hits.empty()) {
    std::cout << "no matches\n";
    return;
  }
  int n = 0;
  for (const auto& h : hits) {
    std::cout << ++n << ". " << h.title << " — page " << h.page;
    if (h.last_page > h.page) std::cout << "–" << h.last_page;
    std::cout << "  (doc " << ShortId(h.doc_id) << ", score " << h.score << ")\n";
    std::cout << "   " << h.snippet << "\n";
  }
}

void PrintAnswer(const pipeline::Answer& a, bool json) {
  if (json) {
    std::cout << ToJson(a).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  if (a.extractive && a.found) {
    std::cout << "Extractive answer (no generative model configured; sentences quoted verbatim):\n\n";
  }
  std::cout << a.text << "\n";
  if (!a.pii.empty() && !a.redacted) {
    std::map<std::string, int> kinds;
    for (const auto& m : a.pii) kinds[std::string(pipeline::PiiKindName(m.kind))]++;
    std::cout << "\n(contains personal identifiers:";
    for (const auto& [k, n] : kinds) std::cout << " " << k << " x" << n;
    std::cout << "; --redact hides them)\n";
  }
  if (!a.citations.empty()) std::cout << "\nSources:\n";
  for (const pipeline::Citation& c : a.citations) {
    std::cout << "  [" << c.key << "] " << c.title << ", page " << c.page << "  (doc "
              << ShortId(c.doc_id) << ", bytes " << c.begin << "-" << c.end << ")\n";
  }
}

}  // namespace archivist::cli
