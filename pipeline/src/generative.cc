#include "generative.h"

namespace archivist::pipeline {

void AnswerStream::Release(const std::string& s) {
  if (s.empty()) return;
  released_ += s;
  if (sink_) sink_(s);
}

void AnswerStream::Add(std::string_view piece) {
  if (!started_) {
    size_t b = piece.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return;
    piece.remove_prefix(b);
    started_ = true;
  }
  if (!policy_.redact) {
    Release(std::string(piece));
    return;
  }
  pending_.append(piece);
  size_t nl = pending_.rfind('\n');
  if (nl == std::string::npos) return;
  std::string complete = pending_.substr(0, nl + 1);
  pending_.erase(0, nl + 1);
  Release(RedactByLine(policy_, complete));
}

void AnswerStream::Finish() {
  if (pending_.empty()) return;
  Release(RedactByLine(policy_, pending_));
  pending_.clear();
}

std::string RedactByLine(const PrivacyPolicy& policy, std::string_view text) {
  if (!policy.redact) return std::string(text);
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view line = text.substr(pos, end - pos);
    out += Redact(line, FindPii(line, policy.kinds));
    pos = end;
  }
  return out;
}

Result<std::vector<CitedSource>> LocateSources(const std::vector<Source>& sources, PageCache& pages) {
  std::vector<CitedSource> out;
  for (const Source& s : sources) {
    CitedSource c;
    c.key = s.key;
    ARCHIVIST_ASSIGN_OR_RETURN(c.sentences, ChunkSentences(s.chunk, pages));
    out.push_back(std::move(c));
  }
  return out;
}

Citation SourceCitation(const Source& s) {
  Citation c;
  c.key = s.key;
  c.doc_id = s.chunk.doc_id;
  c.title = s.title;
  c.source_path = s.source_path;
  c.chunk_id = s.chunk.chunk_id;
  c.page = s.chunk.first_page;
  if (!s.chunk.spans.empty()) {
    c.page = s.chunk.spans.front().page;
    c.begin = s.chunk.spans.front().begin;
    c.end = s.chunk.spans.front().end;
  }
  return c;
}

std::vector<Citation> CitationsFor(const std::vector<int>& keys, const std::vector<Source>& sources,
                                   const FaithfulnessReport& report) {
  std::vector<Citation> out;
  for (int key : keys) {
    const Source* source = nullptr;
    for (const Source& s : sources) {
      if (s.key == key) source = &s;
    }
    if (!source) continue;
    Citation c = SourceCitation(*source);
    auto best = report.best.find(key);
    if (best != report.best.end()) {
      c.page = best->second.page;
      c.begin = best->second.begin;
      c.end = best->second.end;
    }
    out.push_back(std::move(c));
  }
  return out;
}

index::SearchOptions QuestionSearch(const AskOptions& options) {
  index::SearchOptions so;
  so.k = options.retrieve_k;
  so.collection = options.collection;
  so.mode = index::SearchMode::kHybrid;
  // A question is prose, not query syntax: quotes, "-" and AND in it are just words.
  so.plain_text = true;
  return so;
}

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

engine::GenerateOptions EngineOptions(const GenerationOptions& g, int max_tokens,
                                      AnswerStream* stream) {
  engine::GenerateOptions go;
  go.max_tokens = max_tokens;
  go.sampling.temperature = g.temperature;
  go.sampling.seed = g.seed;
  if (stream) {
    go.on_token = [stream](engine::TokenId, std::string_view piece) {
      stream->Add(piece);
      return true;
    };
  }
  return go;
}

}  // namespace archivist::pipeline
