// ask and summarize: extractive without a model, generative (streamed on a terminal) with one.

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/summarize.h"
#include "commands.h"
#include "open_archive.h"
#include "output.h"
#include "remote.h"

namespace archivist::cli {
namespace {

// Wrapped lines of a generated sentence shown on one line.
std::string OneLineForDisplay(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Streams generated text to a terminal; on a pipe or with --json the answer is printed whole.
void MaybeStream(const GlobalArgs& g, pipeline::GenerationOptions& gen, bool* streamed) {
  if (g.json || !gen.enabled() || !::isatty(STDOUT_FILENO)) return;
  gen.on_text = [streamed](std::string_view piece) {
    *streamed = true;
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
  };
}

nlohmann::json CitationList(const std::vector<pipeline::Citation>& citations) {
  pipeline::Answer carrier;  // output.cc renders citations of an answer
  carrier.citations = citations;
  return ToJson(carrier)["citations"];
}

nlohmann::json CheckedJson(const std::vector<pipeline::CheckedSentence>& checked) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& c : checked) {
    arr.push_back({{"text", c.text}, {"keys", c.keys}, {"support", c.support},
                   {"supported", c.supported}, {"problem", c.problem}});
  }
  return arr;
}

nlohmann::json GuardJson(const pipeline::GuardVerdict& v) {
  return {{"checked", v.checked}, {"verdict", v.verdict}, {"categories", v.categories}};
}

nlohmann::json TimingsJson(const pipeline::AnswerTimings& t) {
  return {{"retrieval_seconds", t.retrieval_seconds},
          {"prompt_seconds", t.prompt_seconds},
          {"generation_seconds", t.generation_seconds},
          {"first_token_seconds", t.first_token_seconds},
          {"guard_seconds", t.guard_seconds},
          {"total_seconds", t.total_seconds},
          {"prompt_tokens", t.prompt_tokens},
          {"reused_prompt_tokens", t.reused_prompt_tokens},
          {"generated_tokens", t.generated_tokens},
          {"context_tokens", t.context_tokens},
          {"sources_packed", t.sources_packed},
          {"sources_dropped", t.sources_dropped}};
}

void PrintFlagged(const std::vector<pipeline::CheckedSentence>& checked) {
  bool header = false;
  for (const auto& c : checked) {
    if (c.supported) continue;
    if (!header) std::cout << "\nNot supported by the cited sources (check before relying on them):\n";
    header = true;
    std::cout << "  ! " << OneLineForDisplay(c.text) << "  (" << c.problem << ", overlap "
              << static_cast<int>(c.support * 100 + 0.5) << "%)\n";
  }
}

void PrintCitations(const std::vector<pipeline::Citation>& citations) {
  if (!citations.empty()) std::cout << "\nSources:\n";
  for (const pipeline::Citation& c : citations) {
    std::cout << "  [" << c.key << "] " << c.title << ", page " << c.page << "  (doc "
              << ShortId(c.doc_id) << ", bytes " << c.begin << "-" << c.end << ")\n";
  }
}

void PrintGenerativeAnswer(const pipeline::Answer& a, bool streamed, bool json) {
  if (json) {
    nlohmann::json j = ToJson(a);
    j["model"] = a.model;
    j["sources"] = CitationList(a.sources);
    j["checked_sentences"] = CheckedJson(a.checked);
    j["unsupported"] = a.unsupported;
    j["blocked"] = a.blocked;
    j["guard"] = {{"question", GuardJson(a.question_guard)}, {"answer", GuardJson(a.answer_guard)}};
    j["timings"] = TimingsJson(a.timings);
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return;
  }
  if (streamed) {
    std::cout << "\n";
    if (a.blocked) std::cout << "\n" << a.text << "\n";
  } else {
    std::cout << a.text << "\n";
  }
  if (a.redacted) std::cout << "\n(personal identifiers redacted)\n";
  PrintFlagged(a.checked);
  PrintCitations(a.citations);
  const pipeline::AnswerTimings& t = a.timings;
  std::cerr << "(" << a.model << ": " << t.sources_packed << " sources in " << t.prompt_tokens
            << " prompt tokens, " << t.generated_tokens << " generated; first token "
            << t.first_token_seconds << " s, total " << t.total_seconds << " s)\n";
}

}  // namespace

int RunAsk(GlobalArgs& g, const std::string& question) {
  if (!g.remote.empty()) {
    auto client = ConnectRemote(g);
    if (!client.ok()) return ReportError(client.status());
    auto answer = (*client)->Ask(question, g.config.ask);
    if (!answer.ok()) return ReportError(answer.status());
    if (answer->extractive) PrintAnswer(*answer, g.json);
    else PrintGenerativeAnswer(*answer, false, g.json);
    return kExitOk;
  }
  auto o = Open(g.config, /*create=*/false);
  if (!o.ok()) return ReportError(o.status());
  pipeline::AskOptions options = g.config.ask;
  bool streamed = false;
  MaybeStream(g, options.generation, &streamed);
  auto answer = pipeline::Ask(*o->archive, question, options);
  if (!answer.ok()) {
    if (streamed) std::cout << "\n";
    return ReportError(answer.status());
  }
  if (answer->extractive) PrintAnswer(*answer, g.json);
  else PrintGenerativeAnswer(*answer, streamed, g.json);
  return kExitOk;
}

int RunSummarize(GlobalArgs& g, const std::string& doc_id, const std::string& query,
                 const std::string& tag) {
  pipeline::SummarizeOptions opts;
  opts.doc_id = doc_id;
  opts.query = query;
  opts.tag = tag;
  opts.collection = g.config.ask.collection;
  opts.privacy = g.config.ask.privacy;
  opts.generation = g.config.ask.generation;
  bool streamed = false;
  Result<pipeline::Summary> summary = Status::Internal("not run");
  if (!g.remote.empty()) {
    auto client = ConnectRemote(g);
    if (!client.ok()) return ReportError(client.status());
    summary = (*client)->Summarize(opts);  // the server applies its own privacy policy
  } else {
    auto o = Open(g.config, /*create=*/false);
    if (!o.ok()) return ReportError(o.status());
    MaybeStream(g, opts.generation, &streamed);
    summary = pipeline::Summarize(*o->archive, opts);
  }
  if (!summary.ok()) {
    if (streamed) std::cout << "\n";
    return ReportError(summary.status());
  }
  const pipeline::Summary& s = *summary;
  if (g.json) {
    nlohmann::json j = ToJson(s);
    if (!s.extractive) {
      j["model"] = s.model;
      j["levels"] = s.levels;
      nlohmann::json parts = nlohmann::json::array();
      for (const pipeline::SummaryPart& p : s.parts) {
        nlohmann::json pages = nlohmann::json::array();
        for (const pipeline::PageRef& r : p.pages) pages.push_back({{"doc_id", r.doc_id}, {"page", r.page}});
        parts.push_back({{"level", p.level}, {"inputs", p.inputs}, {"pages", pages}, {"text", p.text}});
      }
      j["parts"] = parts;
      j["sources"] = CitationList(s.sources);
      j["checked_sentences"] = CheckedJson(s.checked);
      j["unsupported"] = s.unsupported;
      j["blocked"] = s.blocked;
      j["guard"] = GuardJson(s.guard);
      j["timings"] = TimingsJson(s.timings);
    }
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  if (s.extractive) {
    std::cout << s.text << "\nSources:\n";
    for (const pipeline::Citation& c : s.citations) {
      std::cout << "  [" << c.key << "] " << c.title << ", page " << c.page << "\n";
    }
    return kExitOk;
  }
  if (streamed) std::cout << "\n";
  else std::cout << s.text << "\n";
  if (streamed && s.blocked) std::cout << "\n" << s.text << "\n";
  PrintFlagged(s.checked);
  PrintCitations(s.citations);
  std::cerr << "(" << s.model << ": " << s.sources.size() << " chunks of " << s.documents
            << " document(s); " << (s.levels > 1 ? std::to_string(s.parts.size()) + " partial summaries, " : "")
            << s.levels << " level(s); total " << s.timings.total_seconds << " s)\n";
  return kExitOk;
}

}  // namespace archivist::cli
