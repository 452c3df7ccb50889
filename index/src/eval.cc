#include "archivist/index/eval.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_set>

#include "archivist/base/file_util.h"

namespace archivist::index {
namespace {

// Calls `fn(line_number, line)` for each non-empty line.
template <typename F>
Status ForEachLine(const std::string& path, F&& fn) {
  ARCHIVIST_ASSIGN_OR_RETURN(std::string data, ReadFile(path));
  std::istringstream in(data);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ARCHIVIST_RETURN_IF_ERROR(fn(number, line));
  }
  return Status::Ok();
}

Status BadLine(const std::string& path, int line, const std::string& why) {
  return Status::InvalidArgument(path + ":" + std::to_string(line) + ": " + why);
}

// JSON ids may be strings or numbers; both name the same document.
Result<std::string> IdField(const nlohmann::json& j) {
  auto it = j.find("id");
  if (it == j.end()) return Status::InvalidArgument("missing \"id\"");
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  return Status::InvalidArgument("\"id\" is neither a string nor an integer");
}

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<IrCollection> LoadIrCollection(const std::string& docs_jsonl, const std::string& queries_jsonl,
                                      const std::string& qrels_tsv) {
  IrCollection c;
  ARCHIVIST_RETURN_IF_ERROR(ForEachLine(docs_jsonl, [&](int n, const std::string& line) -> Status {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return BadLine(docs_jsonl, n, "not a JSON object");
    auto id = IdField(j);
    if (!id.ok()) return BadLine(docs_jsonl, n, id.status().message());
    c.docs.push_back({*id, StringField(j, "title"), StringField(j, "text")});
    return Status::Ok();
  }));
  ARCHIVIST_RETURN_IF_ERROR(ForEachLine(queries_jsonl, [&](int n, const std::string& line) -> Status {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return BadLine(queries_jsonl, n, "not a JSON object");
    auto id = IdField(j);
    if (!id.ok()) return BadLine(queries_jsonl, n, id.status().message());
    c.queries.push_back({*id, StringField(j, "text")});
    return Status::Ok();
  }));
  ARCHIVIST_RETURN_IF_ERROR(ForEachLine(qrels_tsv, [&](int n, const std::string& line) -> Status {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string s; fields >> s;) f.push_back(s);
    if (f.size() != 3 && f.size() != 4)
      return BadLine(qrels_tsv, n, "expected 'qid docid rel' or 'qid iter docid rel'");
    const std::string& doc = f.size() == 3 ? f[1] : f[2];
    try {
      c.qrels[f[0]][doc] = std::stoi(f.back());
    } catch (const std::exception&) {
      return BadLine(qrels_tsv, n, "relevance '" + f.back() + "' is not an integer");
    }
    return Status::Ok();
  }));
  return c;
}

RetrievalMetrics Evaluate(const IrRun& run, const Qrels& qrels) {
  RetrievalMetrics m;
  for (const auto& [qid, judged] : qrels) {
    std::vector<int> gains;
    for (const auto& [_, rel] : judged)
      if (rel > 0) gains.push_back(rel);
    if (gains.empty()) continue;
    ++m.queries;
    auto it = run.find(qid);
    if (it == run.end()) continue;
    const std::vector<std::string>& ranked = it->second;
    std::unordered_set<std::string> seen;  // a document counts once, at its best rank
    double dcg = 0.0, precision_sum = 0.0;
    int found = 0, found_at_100 = 0, rank = 0;
    for (const auto& doc : ranked) {
      if (!seen.insert(doc).second) continue;
      ++rank;
      auto j = judged.find(doc);
      const int rel = j == judged.end() ? 0 : j->second;
      if (rel <= 0) continue;
      if (rank <= 10) dcg += rel / std::log2(rank + 1.0);
      ++found;
      if (rank <= 100) ++found_at_100;
      precision_sum += static_cast<double>(found) / rank;
    }
    std::sort(gains.rbegin(), gains.rend());
    double ideal = 0.0;
    for (size_t i = 0; i < gains.size() && i < 10; ++i) ideal += gains[i] / std::log2(i + 2.0);
    m.ndcg_at_10 += dcg / ideal;
    m.map += precision_sum / static_cast<double>(gains.size());
    m.recall_at_100 += static_cast<double>(found_at_100) / static_cast<double>(gains.size());
  }
  if (m.queries > 0) {
    m.ndcg_at_10 /= m.queries;
    m.map /= m.queries;
    m.recall_at_100 /= m.queries;
  }
  return m;
}

Status EvalOptions::Validate() const {
  if (depth < 1 || depth > 10000)
    return Status::InvalidArgument("eval depth must be within [1, 10000], got " + std::to_string(depth));
  if (collection.empty()) return Status::InvalidArgument("eval collection name is empty");
  return Status::Ok();
}

namespace {
std::string IrText(const IrDocument& d) { return d.title.empty() ? d.text : d.title + "\n" + d.text; }
}  // namespace

std::vector<std::string> IrCorpusTexts(const IrCollection& collection) {
  std::vector<std::string> texts;
  texts.reserve(collection.docs.size());
  for (const auto& d : collection.docs) texts.push_back(IrText(d));
  return texts;
}

Status IngestIrCollection(Archive& archive, const IrCollection& collection, const EvalOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  // Batches amortize the synchronous commit; a crash loses at most the batch in flight.
  constexpr size_t kBatch = 128;
  std::vector<DocumentBundle> batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    const std::string first = batch.front().document.doc_id;
    auto added = archive.AddDocuments(std::move(batch));
    batch.clear();
    if (!added.ok()) return added.status().WithContext("adding evaluation documents from '" + first + "'");
    return Status::Ok();
  };
  std::unordered_set<std::string> queued;
  for (const IrDocument& d : collection.docs) {
    ARCHIVIST_ASSIGN_OR_RETURN(bool present, archive.Contains(d.id));
    if (present || !queued.insert(d.id).second) continue;
    DocumentBundle b;
    b.document.doc_id = d.id;
    b.document.title = d.title;
    b.document.collection = options.collection;
    b.document.media_type = "text/plain";
    const std::string text = IrText(d);
    b.document.size_bytes = text.size();
    b.pages.push_back({1, text, "text_layer"});
    ChunkRecord c;
    c.first_page = c.last_page = 1;
    c.spans.push_back({1, 0, static_cast<uint32_t>(text.size())});
    c.text = text;
    b.chunks.push_back(std::move(c));
    batch.push_back(std::move(b));
    if (batch.size() == kBatch) ARCHIVIST_RETURN_IF_ERROR(flush());
  }
  return flush();
}

Result<IrRun> RunIrQueries(Archive& archive, const IrCollection& collection, const EvalOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  SearchOptions so;
  so.mode = options.mode;
  so.k = options.depth;
  so.candidates = options.depth;
  so.collection = options.collection;
  so.plain_text = true;
  so.fetch_chunks = false;
  IrRun run;
  for (const IrQuery& q : collection.queries) {
    auto hits = archive.Search(q.text, so);
    if (!hits.ok()) {
      if (hits.status().code() == StatusCode::kInvalidArgument) {
        run[q.id];  // nothing searchable in the query: an empty ranking
        continue;
      }
      return hits.status().WithContext("query '" + q.id + "'");
    }
    std::vector<std::string>& ranked = run[q.id];
    std::unordered_set<std::string> seen;
    for (const auto& h : *hits)
      if (seen.insert(h.doc_id).second) ranked.push_back(h.doc_id);
  }
  return run;
}

}  // namespace archivist::index
