// Latent semantic analysis embedder: fitting (randomized truncated SVD over a sparse weighted
// term-document matrix, LAPACK for the small dense factorizations), embedding, persistence.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyzer.h"
#include "archivist/base/file_util.h"
#include "archivist/index/embedder.h"
#include "coding.h"

extern "C" {
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work,
             const int* lwork, int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau,
             double* work, const int* lwork, int* info);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s,
             double* u, const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork,
             int* iwork, int* info);
}

namespace archivist::index {
namespace {

constexpr std::string_view kMagic = "ARCHIVIST-LSA1";

struct SparseColumn {
  std::vector<std::pair<int, double>> entries;  // term index, weight
};

// Column-major dense matrix.
struct Dense {
  int rows = 0, cols = 0;
  std::vector<double> v;
  Dense(int r, int c) : rows(r), cols(c), v(static_cast<size_t>(r) * c, 0.0) {}
  double& at(int r, int c) { return v[static_cast<size_t>(c) * rows + r]; }
};

// Replaces `m` (rows >= cols) by an orthonormal basis of its columns.
Status Orthonormalize(Dense* m) {
  int info = 0, lwork = -1;
  std::vector<double> tau(static_cast<size_t>(m->cols));
  double query = 0;
  dgeqrf_(&m->rows, &m->cols, m->v.data(), &m->rows, tau.data(), &query, &lwork, &info);
  lwork = std::max(1, static_cast<int>(query));
  std::vector<double> work(static_cast<size_t>(lwork));
  dgeqrf_(&m->rows, &m->cols, m->v.data(), &m->rows, tau.data(), work.data(), &lwork, &info);
  if (info != 0) return Status::Internal("LAPACK dgeqrf failed (" + std::to_string(info) + ")");
  dorgqr_(&m->rows, &m->cols, &m->cols, m->v.data(), &m->rows, tau.data(), work.data(), &lwork, &info);
  if (info != 0) return Status::Internal("LAPACK dorgqr failed (" + std::to_string(info) + ")");
  return Status::Ok();
}

class LsaEmbedder final : public Embedder {
 public:
  LsaEmbedder(int dimension, std::unordered_map<std::string, std::pair<int, float>> vocab,
              std::vector<float> projection)
      : dimension_(dimension), vocab_(std::move(vocab)), projection_(std::move(projection)),
        analyzer_(/*stemming=*/true) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(Fingerprint()));
    name_ = "builtin-lsa-v1/" + std::to_string(dimension_) + "/" + std::string(hex, 8);
  }

  std::string Name() const override { return name_; }
  int Dimension() const override { return dimension_; }

  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& texts) const override {
    std::vector<std::vector<float>> out;
    out.reserve(texts.size());
    for (const auto& text : texts) {
      std::unordered_map<int, int> tf;
      for (const auto& term : analyzer_.Terms(text)) {
        auto it = vocab_.find(term);
        if (it != vocab_.end()) ++tf[it->second.first];
      }
      std::vector<double> acc(static_cast<size_t>(dimension_), 0.0);
      for (const auto& [t, n] : tf) {
        const double w = (1.0 + std::log(static_cast<double>(n))) * idf_[static_cast<size_t>(t)];
        const float* row = &projection_[static_cast<size_t>(t) * dimension_];
        for (int d = 0; d < dimension_; ++d) acc[d] += w * row[d];
      }
      double norm = 0.0;
      for (double x : acc) norm += x * x;
      norm = std::sqrt(norm);
      std::vector<float> v(static_cast<size_t>(dimension_), 0.0f);
      if (norm > 0)
        for (int d = 0; d < dimension_; ++d) v[d] = static_cast<float>(acc[d] / norm);
      out.push_back(std::move(v));
    }
    return out;
  }

  std::string Serialize() const {
    std::string s(kMagic);
    PutBe32(&s, static_cast<uint32_t>(dimension_));
    PutBe32(&s, static_cast<uint32_t>(terms_.size()));
    for (size_t t = 0; t < terms_.size(); ++t) {
      PutVarint(&s, terms_[t].size());
      s += terms_[t];
      s += EncodeFloats({idf_[t]});
    }
    s += EncodeFloats(projection_);
    return s;
  }

  void Index() {
    terms_.assign(vocab_.size(), "");
    idf_.assign(vocab_.size(), 0.0f);
    for (const auto& [term, ti] : vocab_) {
      terms_[static_cast<size_t>(ti.first)] = term;
      idf_[static_cast<size_t>(ti.first)] = ti.second;
    }
  }

 private:
  uint64_t Fingerprint() {
    Index();
    std::string s = Serialize();
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
  }

  int dimension_;
  std::unordered_map<std::string, std::pair<int, float>> vocab_;  // term -> (row, idf)
  std::vector<float> projection_;  // rows = terms, dimension_ floats each
  std::vector<std::string> terms_;
  std::vector<float> idf_;
  Analyzer analyzer_;
  std::string name_;
};

}  // namespace

Status LsaOptions::Validate() const {
  if (dimension < 1 || dimension > 4096)
    return Status::InvalidArgument("LSA dimension must be within [1, 4096]");
  if (max_terms < 1) return Status::InvalidArgument("LSA max_terms must be positive");
  if (min_document_frequency < 1) return Status::InvalidArgument("LSA min_document_frequency must be >= 1");
  if (oversampling < 0 || power_iterations < 0 || power_iterations > 10)
    return Status::InvalidArgument("LSA oversampling must be >= 0 and power_iterations within [0, 10]");
  return Status::Ok();
}

Result<std::unique_ptr<Embedder>> FitLsaEmbedder(const std::vector<std::string>& corpus,
                                                 const LsaOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  Analyzer analyzer(/*stemming=*/true);
  std::vector<std::unordered_map<std::string, int>> docs;
  std::unordered_map<std::string, int> df;
  for (const auto& text : corpus) {
    std::unordered_map<std::string, int> tf;
    for (auto& t : analyzer.Terms(text)) ++tf[std::move(t)];
    for (const auto& [t, _] : tf) ++df[t];
    docs.push_back(std::move(tf));
  }
  std::vector<std::pair<int, std::string>> by_df;
  for (const auto& [t, n] : df)
    if (n >= options.min_document_frequency) by_df.emplace_back(n, t);
  std::sort(by_df.begin(), by_df.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (by_df.size() > static_cast<size_t>(options.max_terms)) by_df.resize(static_cast<size_t>(options.max_terms));
  const int T = static_cast<int>(by_df.size());
  const int N = static_cast<int>(docs.size());
  if (T < 2 || N < 2)
    return Status::InvalidArgument("the corpus is too small to fit an LSA model (" + std::to_string(N) +
                                   " texts, " + std::to_string(T) + " usable terms)");
  std::unordered_map<std::string, std::pair<int, float>> vocab;
  for (int i = 0; i < T; ++i) {
    const double idf = std::log(static_cast<double>(N) / by_df[static_cast<size_t>(i)].first) + 1.0;
    vocab[by_df[static_cast<size_t>(i)].second] = {i, static_cast<float>(idf)};
  }
  // Weighted, length-normalized document columns.
  std::vector<SparseColumn> cols(static_cast<size_t>(N));
  for (int j = 0; j < N; ++j) {
    double norm = 0.0;
    for (const auto& [t, n] : docs[static_cast<size_t>(j)]) {
      auto it = vocab.find(t);
      if (it == vocab.end()) continue;
      const double w = (1.0 + std::log(static_cast<double>(n))) * it->second.second;
      cols[static_cast<size_t>(j)].entries.emplace_back(it->second.first, w);
      norm += w * w;
    }
    norm = std::sqrt(norm);
    if (norm > 0)
      for (auto& e : cols[static_cast<size_t>(j)].entries) e.second /= norm;
  }
  const int k = std::min({options.dimension, T, N});
  const int l = std::min({k + options.oversampling, T, N});
  // Y = A * Omega (T x l), Omega Gaussian (N x l).
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<double> gauss;
  Dense omega(N, l);
  for (auto& x : omega.v) x = gauss(rng);
  auto times_a = [&](Dense& right /* N x l */) {
    Dense y(T, l);
    for (int j = 0; j < N; ++j)
      for (const auto& [t, w] : cols[static_cast<size_t>(j)].entries)
        for (int c = 0; c < l; ++c) y.at(t, c) += w * right.at(j, c);
    return y;
  };
  auto times_at = [&](Dense& left /* T x l */) {
    Dense z(N, l);
    for (int j = 0; j < N; ++j)
      for (const auto& [t, w] : cols[static_cast<size_t>(j)].entries)
        for (int c = 0; c < l; ++c) z.at(j, c) += w * left.at(t, c);
    return z;
  };
  Dense q = times_a(omega);
  ARCHIVIST_RETURN_IF_ERROR(Orthonormalize(&q));
  for (int it = 0; it < options.power_iterations; ++it) {
    Dense z = times_at(q);
    ARCHIVIST_RETURN_IF_ERROR(Orthonormalize(&z));
    q = times_a(z);
    ARCHIVIST_RETURN_IF_ERROR(Orthonormalize(&q));
  }
  // B = Q^T A (l x N), then its small SVD.
  Dense bt = times_at(q);  // N x l = (Q^T A)^T
  Dense b(l, N);
  for (int j = 0; j < N; ++j)
    for (int c = 0; c < l; ++c) b.at(c, j) = bt.at(j, c);
  const int mn = std::min(l, N);
  std::vector<double> s(static_cast<size_t>(mn));
  Dense ub(l, mn);
  Dense vt(mn, N);
  std::vector<int> iwork(static_cast<size_t>(8 * mn));
  int info = 0, lwork = -1;
  double query = 0;
  const char jobz = 'S';
  dgesdd_(&jobz, &b.rows, &b.cols, b.v.data(), &b.rows, s.data(), ub.v.data(), &ub.rows, vt.v.data(),
          &vt.rows, &query, &lwork, iwork.data(), &info);
  lwork = std::max(1, static_cast<int>(query));
  std::vector<double> work(static_cast<size_t>(lwork));
  dgesdd_(&jobz, &b.rows, &b.cols, b.v.data(), &b.rows, s.data(), ub.v.data(), &ub.rows, vt.v.data(),
          &vt.rows, work.data(), &lwork, iwork.data(), &info);
  if (info != 0) return Status::Internal("LAPACK dgesdd failed (" + std::to_string(info) + ")");
  // Term vectors: rows of U = Q * Ub, first k columns; unused dimensions stay zero.
  const int dim = options.dimension;
  std::vector<float> projection(static_cast<size_t>(T) * dim, 0.0f);
  for (int c = 0; c < k; ++c) {
    for (int i = 0; i < l; ++i) {
      const double u = ub.at(i, c);
      if (u == 0.0) continue;
      for (int t = 0; t < T; ++t) projection[static_cast<size_t>(t) * dim + c] += static_cast<float>(q.at(t, i) * u);
    }
  }
  return std::unique_ptr<Embedder>(std::make_unique<LsaEmbedder>(dim, std::move(vocab), std::move(projection)));
}

Result<std::string> SerializeLsaEmbedder(const Embedder& embedder) {
  const auto* lsa = dynamic_cast<const LsaEmbedder*>(&embedder);
  if (!lsa) return Status::InvalidArgument("'" + embedder.Name() + "' is not an LSA embedder");
  return lsa->Serialize();
}

Status SaveLsaEmbedder(const Embedder& embedder, const std::string& path) {
  ARCHIVIST_ASSIGN_OR_RETURN(std::string data, SerializeLsaEmbedder(embedder));
  return WriteFileAtomic(path, data);
}

Result<std::unique_ptr<Embedder>> LoadLsaEmbedder(const std::string& path) {
  ARCHIVIST_ASSIGN_OR_RETURN(std::string data, ReadFile(path));
  return ParseLsaEmbedder(data, "'" + path + "'");
}

Result<std::unique_ptr<Embedder>> ParseLsaEmbedder(std::string_view s, const std::string& what) {
  auto bad = [&](const char* why) { return Status::Corruption(what + " is not a valid LSA model: " + why); };
  if (s.size() < kMagic.size() + 8 || s.substr(0, kMagic.size()) != kMagic) return bad("bad header");
  size_t pos = kMagic.size();
  const int dim = static_cast<int>(GetBe32(s.substr(pos)));
  const uint32_t terms = GetBe32(s.substr(pos + 4));
  pos += 8;
  if (dim < 1 || dim > 4096) return bad("bad dimension");
  std::unordered_map<std::string, std::pair<int, float>> vocab;
  for (uint32_t t = 0; t < terms; ++t) {
    uint64_t len = 0;
    if (!GetVarint(s, &pos, &len) || pos + len + 4 > s.size()) return bad("truncated vocabulary");
    std::string term(s.substr(pos, len));
    pos += len;
    float idf = DecodeFloats(s.substr(pos, 4))[0];
    pos += 4;
    vocab[term] = {static_cast<int>(t), idf};
  }
  const size_t floats = static_cast<size_t>(terms) * dim;
  if (s.size() - pos != floats * sizeof(float)) return bad("projection size mismatch");
  return std::unique_ptr<Embedder>(
      std::make_unique<LsaEmbedder>(dim, std::move(vocab), DecodeFloats(s.substr(pos))));
}

}  // namespace archivist::index
