// The `archivist` command as a user runs it: real binary, real data directory, exit codes, output.

#include <sys/wait.h>

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "samples_truth.h"

namespace archivist {
namespace {
namespace fs = std::filesystem;

struct CommandResult {
  int code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const fs::path& p) { return testing::ReadText(p.string()); }

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::path(::testing::TempDir()) / ("archivist_cli_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  static CommandResult Archivist(const std::vector<std::string>& args) {
    std::string cmd = Quote(ARCHIVIST_CLI);
    for (const auto& a : args) cmd += " " + Quote(a);
    fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    cmd += " >" + Quote(out.string()) + " 2>" + Quote(err.string()) + " </dev/null";
    int status = std::system(cmd.c_str());
    CommandResult r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = Slurp(out);
    r.err = Slurp(err);
    return r;
  }

  static std::string Data() { return (dir_ / "data").string(); }
  static std::string Sample(const std::string& rel) { return testing::SamplesDir() + "/" + rel; }

  // Text-layer samples only: OCR is covered by the slice test, and this keeps the suite quick.
  static CommandResult IngestTextSamples() {
    return Archivist({"--data-dir", Data(), "ingest", Sample("docs/discharge_summary.pdf"),
                      Sample("docs/services_contract.pdf"), Sample("docs/meeting_notes.txt"),
                      Sample("bad"), Sample("docs/no-such-file.pdf")});
  }

  static inline fs::path dir_;
};

TEST_F(CliTest, VersionAndUsageErrors) {
  CommandResult v = Archivist({"version"});
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind("archivist ", 0), 0u) << v.out;
  EXPECT_EQ(Archivist({}).code, 1);
  EXPECT_EQ(Archivist({"search"}).code, 1);
  EXPECT_EQ(Archivist({"frobnicate"}).code, 1);
  EXPECT_EQ(Archivist({"search", "x", "--mode", "psychic"}).code, 1);
}

TEST_F(CliTest, SearchingAMissingDataDirectoryIsAnInputErrorOnOneLine) {
  CommandResult r = Archivist({"--data-dir", (dir_ / "nowhere").string(), "search", "x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind("archivist: error: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "nowhere")) << "a read command must not create a data directory";
}

TEST_F(CliTest, IngestReportsEachBadInputAndKeepsTheRest) {
  CommandResult r = IngestTextSamples();
  EXPECT_EQ(r.code, 2) << "some inputs failed: exit code 2\n" << r.out << r.err;
  EXPECT_NE(r.out.find("3 ingested"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 failed"), std::string::npos) << r.out;
  for (const char* bad : {"truncated.pdf", "unsupported.bin", "no-such-file.pdf"}) {
    EXPECT_NE(r.err.find(bad), std::string::npos) << "stderr names " << bad << ":\n" << r.err;
  }
  EXPECT_NE(r.err.find("corruption"), std::string::npos);
  EXPECT_NE(r.err.find("unsupported"), std::string::npos);
  EXPECT_NE(r.err.find("not found"), std::string::npos);

  // Same files again: nothing new, and --json after the subcommand works.
  CommandResult again = Archivist({"ingest", Sample("docs/discharge_summary.pdf"),
                         Sample("docs/meeting_notes.txt"), "--data-dir", Data(), "--json"});
  EXPECT_EQ(again.code, 0) << again.err;
  auto j = nlohmann::json::parse(again.out);
  EXPECT_EQ(j["ingested"], 0);
  EXPECT_EQ(j["duplicates"], 2);

  CommandResult stats = Archivist({"--data-dir", Data(), "--json", "stats"});
  ASSERT_EQ(stats.code, 0) << stats.err;
  auto s = nlohmann::json::parse(stats.out);
  EXPECT_EQ(s["documents"], 3);
  EXPECT_EQ(s["pages"], 5);
  EXPECT_GT(s["chunks"].get<int>(), 3);
  EXPECT_EQ(s["vectors"], s["chunks"]);
  EXPECT_EQ(s["collections"]["default"], 3);
}

TEST_F(CliTest, SearchAskListAndInspect) {
  IngestTextSamples();
  CommandResult search = Archivist({"--data-dir", Data(), "search", "termination without notice", "-k", "2",
                          "--json"});
  ASSERT_EQ(search.code, 0) << search.err;
  auto hits = nlohmann::json::parse(search.out)["hits"];
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0]["title"], "Master Services Agreement - Records Scanning and Storage");
  EXPECT_EQ(hits[0]["page"], 2);
  EXPECT_NE(hits[0]["snippet"].get<std::string>().find("[["), std::string::npos);

  CommandResult text = Archivist({"--data-dir", Data(), "search", "apixaban"});
  ASSERT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("Discharge Summary"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("page 2"), std::string::npos) << text.out;

  CommandResult ask = Archivist({"--data-dir", Data(), "ask", "When may the client terminate without notice?"});
  ASSERT_EQ(ask.code, 0) << ask.err;
  EXPECT_NE(ask.out.find("[1]"), std::string::npos) << ask.out;
  EXPECT_NE(ask.out.find("Master Services Agreement"), std::string::npos) << ask.out;
  EXPECT_NE(ask.out.find("page 2"), std::string::npos) << ask.out;

  CommandResult list = Archivist({"--data-dir", Data(), "list", "--json"});
  ASSERT_EQ(list.code, 0);
  auto docs = nlohmann::json::parse(list.out)["documents"];
  ASSERT_EQ(docs.size(), 3u);
  std::string id = docs[0]["doc_id"];
  CommandResult inspect = Archivist({"--data-dir", Data(), "inspect", id.substr(0, 10)});
  EXPECT_EQ(inspect.code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find(id), std::string::npos);
  CommandResult unknown = Archivist({"--data-dir", Data(), "inspect", "ffffffffffff"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("not found"), std::string::npos);
}

TEST_F(CliTest, BackupRestoresToAnEquivalentArchive) {
  IngestTextSamples();
  fs::path backup = dir_ / "backup";
  fs::remove_all(backup);
  CommandResult b = Archivist({"--data-dir", Data(), "backup", backup.string()});
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(Archivist({"--data-dir", Data(), "backup", backup.string()}).code, 2)
      << "an existing target is refused";
  fs::path restored = dir_ / "restored";
  fs::remove_all(restored);
  CommandResult r = Archivist({"--data-dir", restored.string(), "restore", backup.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  CommandResult original = Archivist({"--data-dir", Data(), "--json", "stats"});
  CommandResult copy = Archivist({"--data-dir", restored.string(), "--json", "stats"});
  auto o = nlohmann::json::parse(original.out), c = nlohmann::json::parse(copy.out);
  for (const char* key : {"documents", "pages", "chunks", "vectors", "terms"}) EXPECT_EQ(o[key], c[key]) << key;
  CommandResult hits = Archivist({"--data-dir", restored.string(), "--json", "search", "apixaban"});
  ASSERT_EQ(hits.code, 0);
  EXPECT_FALSE(nlohmann::json::parse(hits.out)["hits"].empty());
  EXPECT_EQ(Archivist({"--data-dir", restored.string(), "restore", backup.string()}).code, 2)
      << "restoring over a non-empty data directory is refused";
  fs::path junk = dir_ / "junk";
  fs::create_directories(junk);
  EXPECT_EQ(Archivist({"--data-dir", (dir_ / "r2").string(), "restore", junk.string()}).code, 2)
      << "a directory that is not an archive is not restored";
}

TEST_F(CliTest, EvalReportsTrecEvalMetricsOnATestCollection) {
  std::string ir = std::string(ARCHIVIST_SOURCE_DIR) + "/../shared/corpora/ir/adi";
  if (!fs::exists(ir + "/docs.jsonl")) GTEST_SKIP() << "no shared IR collections at " << ir;
  CommandResult r = Archivist({"--json", "eval", "--docs", ir + "/docs.jsonl", "--queries",
                               ir + "/queries.jsonl", "--qrels", ir + "/qrels.tsv", "--mode", "all"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["results"].size(), 3u);
  for (const auto& m : j["results"]) {
    EXPECT_EQ(m["queries"], 35);
    EXPECT_GT(m["ndcg@10"].get<double>(), 0.3) << m["mode"];
    EXPECT_LE(m["ndcg@10"].get<double>(), 1.0);
    EXPECT_GT(m["recall@100"].get<double>(), 0.8) << m["mode"];
  }
  // BM25 within 0.01 of the reference figure for this collection (Xapian 1.4.22: 0.460).
  EXPECT_GE(j["results"][0]["ndcg@10"].get<double>(), 0.450);
}

TEST_F(CliTest, FailuresAreListedAndRetried) {
  std::string data = (dir_ / "failures-data").string();
  CommandResult r = Archivist({"--data-dir", data, "ingest", Sample("bad"), Sample("docs/meeting_notes.txt")});
  EXPECT_EQ(r.code, 2);
  CommandResult list = Archivist({"--data-dir", data, "--json", "failures"});
  ASSERT_EQ(list.code, 0) << list.err;
  auto f = nlohmann::json::parse(list.out)["failures"];
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0]["code"], "corruption");
  EXPECT_EQ(f[1]["code"], "unsupported");
  CommandResult retry = Archivist({"--data-dir", data, "ingest", "--retry-failed"});
  EXPECT_EQ(retry.code, 2) << "both still fail";
  EXPECT_NE(retry.out.find("0 ingested, 0 unchanged, 0 duplicates, 2 failed"), std::string::npos) << retry.out;
  list = Archivist({"--data-dir", data, "--json", "failures"});
  EXPECT_EQ(nlohmann::json::parse(list.out)["failures"][0]["attempts"], 2);
}

TEST_F(CliTest, MalformedQueryIsAnInputErrorNotACrash) {
  IngestTextSamples();
  CommandResult r = Archivist({"--data-dir", Data(), "search", "\"unbalanced quote"});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_EQ(r.err.rfind("archivist: error: invalid argument", 0), 0u) << r.err;
}

TEST_F(CliTest, ConfigFileIsReadAndFlagsOverrideIt) {
  fs::path cfg = dir_ / "archivist.toml";
  std::ofstream(cfg) << "[data]\ndir = \"" << (dir_ / "from-config").string()
                     << "\"\n[ingest]\ncollection = \"legal\"\n";
  CommandResult r = Archivist({"--config", cfg.string(), "ingest", Sample("docs/services_contract.pdf")});
  ASSERT_EQ(r.code, 0) << r.err;
  CommandResult stats = Archivist({"--config", cfg.string(), "stats", "--json"});
  ASSERT_EQ(stats.code, 0) << stats.err;
  EXPECT_EQ(nlohmann::json::parse(stats.out)["collections"]["legal"], 1);
  CommandResult flag = Archivist({"--config", cfg.string(), "--data-dir", (dir_ / "other").string(), "stats"});
  EXPECT_EQ(flag.code, 2) << "--data-dir overrides the file's [data] dir";
  std::ofstream(dir_ / "broken.toml") << "[search]\nk = \"many\"\n";
  CommandResult bad = Archivist({"--config", (dir_ / "broken.toml").string(), "version"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("search.k"), std::string::npos) << bad.err;
}

TEST_F(CliTest, ExtractShowsPagesWithoutTouchingTheStore) {
  CommandResult r = Archivist({"--data-dir", (dir_ / "untouched").string(), "extract", "--json",
                     Sample("docs/discharge_summary.pdf")});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["pages"].size(), 2u);
  EXPECT_EQ(j["pages"][1]["source"], "text_layer");
  EXPECT_TRUE(testing::ContainsPhrase(j["pages"][1]["text"], "replaced by apixaban"));
  EXPECT_FALSE(fs::exists(dir_ / "untouched"));
}

TEST_F(CliTest, InspectModelListsAGgufFile) {
  std::string model =
      std::string(ARCHIVIST_SOURCE_DIR) + "/../shared/oracle/models/qwen3moe_dev.q8_0.gguf";
  if (!fs::exists(model)) GTEST_SKIP() << "shared oracle models not present at " << model;
  CommandResult r = Archivist({"inspect-model", model});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("qwen3moe"), std::string::npos);
  EXPECT_NE(r.out.find("Q8_0"), std::string::npos);
  CommandResult bad = Archivist({"inspect-model", Sample("docs/meeting_notes.txt")});
  EXPECT_EQ(bad.code, 2) << bad.out;
}

class CliEngineTest : public CliTest {
 protected:
  void SetUp() override {
    oracle_ = std::string(ARCHIVIST_SOURCE_DIR) + "/../shared/oracle";
    if (!fs::exists(oracle_ + "/manifest.json")) GTEST_SKIP() << "no shared oracle at " << oracle_;
    std::ifstream in(oracle_ + "/manifest.json");
    manifest_ = nlohmann::json::parse(in);
  }
  std::string Model(const std::string& name) { return oracle_ + "/models/" + name + ".gguf"; }
  std::string Prompt(const std::string& name) { return Slurp(oracle_ + "/prompts/" + name + ".txt"); }

  std::string oracle_;
  nlohmann::json manifest_;
};

TEST_F(CliEngineTest, TokenizeAndGreedyGenerateMatchTheReference) {
  for (const std::string model : {"qwen3moe_dev", "llama4_moe_dev"}) {
    const auto& m = manifest_["models"][model];
    CommandResult tok = Archivist({"tokenize", "--json", "--model", Model(model + ".f32"),
                                   Prompt("clinical")});
    ASSERT_EQ(tok.code, 0) << tok.err;
    EXPECT_EQ(nlohmann::json::parse(tok.out)["ids"], m["prompt_tokens"]["clinical"]) << model;

    fs::path npy = dir_ / (model + ".npy");
    CommandResult gen = Archivist({"generate", "--json", "--model", Model(model + ".f32"),
                                   "--prompt", Prompt("clinical"), "--max-tokens", "16",
                                   "--ignore-eos", "--logits-out", npy.string(),
                                   // the reference's precise configuration
                                   "--kv-type", "f32"});
    ASSERT_EQ(gen.code, 0) << gen.err;
    auto j = nlohmann::json::parse(gen.out);
    EXPECT_EQ(j["prompt_tokens"], m["prompt_tokens"]["clinical"]);
    EXPECT_EQ(j["generated_tokens"], m["results"]["f32"]["precise"]["clinical"]["gen_tokens"])
        << model;
    // .npy: 128-byte header here, then n_vocab float32 logits.
    int64_t n_vocab = m["gguf_metadata"].contains("llama4.vocab_size")
                          ? m["gguf_metadata"]["llama4.vocab_size"].get<int64_t>()
                          : 1024;
    EXPECT_EQ(fs::file_size(npy), static_cast<uintmax_t>(128 + 4 * n_vocab));
    EXPECT_EQ(Slurp(npy).substr(0, 6), "\x93NUMPY");
  }
}

TEST_F(CliEngineTest, EmbedNeedsAnEncoderAndNormalizes) {
  CommandResult e = Archivist({"embed", "--json", "--normalize", "--model", Model("bert_dev.f32"),
                               Prompt("clinical")});
  ASSERT_EQ(e.code, 0) << e.err;
  auto v = nlohmann::json::parse(e.out)["embedding"];
  ASSERT_EQ(v.size(), 256u);
  double norm = 0;
  for (const auto& x : v) norm += x.get<double>() * x.get<double>();
  EXPECT_NEAR(norm, 1.0, 1e-4);
  CommandResult wrong = Archivist({"embed", "--model", Model("qwen3moe_dev.f32"), "x"});
  EXPECT_EQ(wrong.code, 2);
  EXPECT_NE(wrong.err.find("not an embedding"), std::string::npos) << wrong.err;
}

TEST_F(CliEngineTest, BadModelFilesAndOversizedPromptsAreInputErrors) {
  fs::path truncated = dir_ / "truncated.gguf";
  std::string bytes = Slurp(Model("llama_dense_dev.q8_0"));
  std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  CommandResult t = Archivist({"generate", "--model", truncated.string(), "--prompt", "x"});
  EXPECT_EQ(t.code, 2) << t.err;
  EXPECT_EQ(t.err.rfind("archivist: error: ", 0), 0u) << t.err;
  CommandResult ctx = Archivist({"generate", "--model", Model("llama_dense_dev.f32"), "--prompt",
                                 Prompt("contract"), "--ctx", "8"});
  EXPECT_EQ(ctx.code, 2) << ctx.out << ctx.err;
}

TEST_F(CliEngineTest, BenchEnginePrintsJson) {
  CommandResult b = Archivist({"bench-engine", "--model", Model("qwen3moe_dev.q8_0"),
                               "--prompt-tokens", "32", "--gen-tokens", "8", "--threads", "1"});
  ASSERT_EQ(b.code, 0) << b.err;
  auto j = nlohmann::json::parse(b.out);
  EXPECT_EQ(j["architecture"], "qwen3moe");
  ASSERT_FALSE(j["runs"].empty());
  EXPECT_GT(j["runs"][0]["gen_tokens_per_s"].get<double>(), 0.0);
  EXPECT_GT(j["runs"][0]["tg_tokens_per_s"].get<double>(), 0.0);  // from an empty context
  EXPECT_EQ(j["kv_type"], "f16");
  // K/V bytes read per generated token: 1 layer x 2 KV heads x 64 dims x (K + V) x 2 bytes = 512
  // per position; on average 32 + 4.5 positions after the prompt, 4.5 from an empty context.
  EXPECT_EQ(j["gen_kv_bytes_per_token"].get<int64_t>(), 512 * 73 / 2);
  EXPECT_EQ(j["tg_kv_bytes_per_token"].get<int64_t>(), 512 * 9 / 2);
  CommandResult bad = Archivist({"bench-engine", "--model", Model("qwen3moe_dev.q8_0"),
                                 "--kv-type", "f8", "--threads", "1"});
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.err.find("f16, f32 or q8_0"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace archivist
