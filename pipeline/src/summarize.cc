#include "archivist/pipeline/summarize.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <set>
#include <unordered_map>

#include "archivist/ingest/chunker.h"
#include "generative.h"
#include "passages.h"

namespace archivist::pipeline {
namespace {

// Sections a clinician reads first, in this order; matched on the lower-cased heading.
constexpr std::array<std::string_view, 9> kClinicalOrder = {
    "diagnos", "problem", "medication", "allerg", "procedure",
    "assessment", "plan", "follow", "result"};

int ClinicalRank(const std::string& heading) {
  std::string lower;
  for (char c : heading) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < kClinicalOrder.size(); ++i) {
    if (lower.find(kClinicalOrder[i]) != std::string::npos) return static_cast<int>(i);
  }
  return static_cast<int>(kClinicalOrder.size());
}

std::string LastHeading(const std::string& path) {
  size_t sep = path.rfind(" > ");
  return sep == std::string::npos ? path : path.substr(sep + 3);
}

struct SectionSentences {
  std::string heading;
  size_t first_position = 0;  // order of appearance in the document
  std::vector<LocatedSentence> sentences;
};

// Splits a document into sections (by the chunks' headings) of unique sentences.
Result<std::vector<SectionSentences>> DocumentSections(index::Archive& archive,
                                                       const std::string& doc_id) {
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<index::ChunkRecord> chunks, archive.GetChunks(doc_id));
  std::sort(chunks.begin(), chunks.end(),
            [](const auto& a, const auto& b) { return a.ordinal < b.ordinal; });
  PageCache pages(archive);
  std::vector<SectionSentences> sections;
  std::set<std::string> seen;
  size_t position = 0;
  for (const index::ChunkRecord& chunk : chunks) {
    std::string heading = LastHeading(chunk.heading_path);
    if (sections.empty() || sections.back().heading != heading) {
      sections.push_back({heading, position, {}});
    }
    ARCHIVIST_ASSIGN_OR_RETURN(std::vector<LocatedSentence> sentences, ChunkSentences(chunk, pages));
    for (LocatedSentence& s : sentences) {
      ++position;
      // A chunk can hold several small sections: heading lines inside it open new ones.
      std::string label;
      if (ingest::LineHeadingLevel(s.text, &label) > 0 && !label.empty()) {
        if (sections.back().heading != label) sections.push_back({label, position, {}});
        continue;
      }
      // Overlap between chunks repeats sentences; fragments are not summary material.
      if (!seen.insert(DedupKey(s.text)).second) continue;
      if (CountWords(s.text) < 4) continue;
      sections.back().sentences.push_back(std::move(s));
    }
  }
  std::erase_if(sections, [](const SectionSentences& s) { return s.sentences.empty(); });
  return sections;
}

// Centroid selection: a sentence represents its section when its idf-weighted terms are close to
// the section's as a whole. Short fragments and run-on table rows score low by the cosine itself.
std::vector<size_t> PickRepresentative(index::Archive& archive,
                                       const std::vector<LocatedSentence>& sentences, int k) {
  std::vector<std::unordered_map<std::string, double>> vectors;
  std::unordered_map<std::string, double> centroid;
  std::unordered_map<std::string, double> idf_cache;
  for (const LocatedSentence& s : sentences) {
    std::unordered_map<std::string, double> v;
    for (const std::string& t : archive.AnalyzeTerms(s.text)) {
      auto it = idf_cache.find(t);
      if (it == idf_cache.end()) it = idf_cache.emplace(t, archive.TermIdf(t)).first;
      v[t] += it->second;
    }
    for (const auto& [t, w] : v) centroid[t] += w;
    vectors.push_back(std::move(v));
  }
  auto norm = [](const std::unordered_map<std::string, double>& v) {
    double n = 0;
    for (const auto& [t, w] : v) n += w * w;
    return std::sqrt(n);
  };
  double cn = norm(centroid);
  std::vector<std::pair<double, size_t>> scored;
  for (size_t i = 0; i < vectors.size(); ++i) {
    double dot = 0;
    for (const auto& [t, w] : vectors[i]) dot += w * centroid[t];
    double vn = norm(vectors[i]);
    double cosine = (vn > 0 && cn > 0) ? dot / (vn * cn) : 0.0;
    // The first sentences of a section usually state its point; a small bonus keeps them.
    double lead = i == 0 ? 0.05 : 0.0;
    scored.push_back({cosine + lead, i});
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<size_t> picked;
  for (size_t i = 0; i < scored.size() && static_cast<int>(picked.size()) < k; ++i) {
    picked.push_back(scored[i].second);
  }
  std::sort(picked.begin(), picked.end());  // read in document order
  return picked;
}

Result<std::vector<index::DocumentRecord>> SelectDocuments(index::Archive& archive,
                                                           const SummarizeOptions& o) {
  std::vector<index::DocumentRecord> out;
  if (!o.doc_id.empty()) {
    ARCHIVIST_ASSIGN_OR_RETURN(std::vector<index::DocumentRecord> all, archive.ListDocuments());
    for (auto& d : all) {
      if (d.doc_id.starts_with(o.doc_id)) out.push_back(std::move(d));
    }
    if (out.empty()) return Status::NotFound("no document with id '" + o.doc_id + "'");
    if (out.size() > 1) {
      return Status::InvalidArgument("'" + o.doc_id + "' matches " + std::to_string(out.size()) +
                                     " documents; give more of the id");
    }
    return out;
  }
  if (!o.tag.empty()) {
    ARCHIVIST_ASSIGN_OR_RETURN(std::vector<index::DocumentRecord> all, archive.ListDocuments());
    for (auto& d : all) {
      bool tagged = std::find(d.tags.begin(), d.tags.end(), o.tag) != d.tags.end();
      bool in_collection = o.collection.empty() || d.collection == o.collection;
      if (tagged && in_collection) out.push_back(std::move(d));
      if (static_cast<int>(out.size()) >= o.max_documents) break;
    }
    if (out.empty()) return Status::NotFound("no document is tagged '" + o.tag + "'");
    return out;
  }
  index::SearchOptions so;
  so.k = 50;
  so.collection = o.collection;
  so.plain_text = true;
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<index::SearchHit> hits, archive.Search(o.query, so));
  std::set<std::string> taken;
  for (const index::SearchHit& h : hits) {
    if (static_cast<int>(taken.size()) >= o.query_documents) break;
    if (!taken.insert(h.doc_id).second) continue;
    ARCHIVIST_ASSIGN_OR_RETURN(index::DocumentRecord d, archive.GetDocument(h.doc_id));
    out.push_back(std::move(d));
  }
  if (out.empty()) return Status::NotFound("no document matches '" + o.query + "'");
  return out;
}

}  // namespace

Status SummarizeOptions::Validate() const {
  int selectors = !doc_id.empty() + !query.empty() + !tag.empty();
  if (selectors != 1) {
    return Status::InvalidArgument("summarize needs exactly one of a document id, a query or a tag");
  }
  if (sentences_per_section < 1 || max_sections < 1 || query_documents < 1 || max_documents < 1) {
    return Status::InvalidArgument("summary sizes must be at least 1");
  }
  return Status::Ok();
}

Result<Summary> Summarize(index::Archive& archive, const SummarizeOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<index::DocumentRecord> docs,
                             SelectDocuments(archive, options));
  if (options.generation.enabled()) return GenerativeSummarize(archive, options, docs);
  Summary summary;
  summary.documents = static_cast<int>(docs.size());
  summary.text = "Extractive summary (no generative model configured; sentences quoted verbatim)\n";
  for (const index::DocumentRecord& doc : docs) {
    ARCHIVIST_ASSIGN_OR_RETURN(std::vector<SectionSentences> sections,
                               DocumentSections(archive, doc.doc_id));
    std::stable_sort(sections.begin(), sections.end(), [](const auto& a, const auto& b) {
      int ra = ClinicalRank(a.heading), rb = ClinicalRank(b.heading);
      return ra != rb ? ra < rb : a.first_position < b.first_position;
    });
    if (static_cast<int>(sections.size()) > options.max_sections) {
      sections.resize(static_cast<size_t>(options.max_sections));
    }
    summary.text += "\n" + doc.title + "\n";
    for (const SectionSentences& section : sections) {
      SummarySection out;
      out.doc_id = doc.doc_id;
      out.document_title = doc.title;
      out.heading = section.heading;
      summary.text += section.heading.empty() ? "" : "## " + section.heading + "\n";
      for (size_t i : PickRepresentative(archive, section.sentences,
                                         options.sentences_per_section)) {
        const LocatedSentence& s = section.sentences[i];
        Citation c;
        c.key = static_cast<int>(summary.citations.size()) + 1;
        c.doc_id = doc.doc_id;
        c.title = doc.title;
        c.source_path = doc.source_path;
        c.page = s.page;
        c.begin = s.begin;
        c.end = s.end;
        summary.citations.push_back(c);
        out.sentences.push_back(s.text);
        out.citation_keys.push_back(c.key);
        summary.text += "- " + OneLine(s.text) + " [" + std::to_string(c.key) + "]\n";
      }
      summary.sections.push_back(std::move(out));
    }
  }
  std::vector<std::string> quoted;
  for (const SummarySection& sec : summary.sections) {
    quoted.insert(quoted.end(), sec.sentences.begin(), sec.sentences.end());
  }
  ApplyPrivacy(options.privacy, summary.text, quoted, summary.pii, summary.redacted);
  if (summary.redacted) {
    size_t i = 0;
    for (SummarySection& sec : summary.sections) {
      for (std::string& sentence : sec.sentences) sentence = quoted[i++];
    }
  }
  return summary;
}

}  // namespace archivist::pipeline
