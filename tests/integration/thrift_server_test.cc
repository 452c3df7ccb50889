// The Thrift API end to end: a real server over a real archive, called from the C++ client and
// from the Python sample client (generated code + python3-thrift) as a subprocess.

#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "archivist/base/sha256.h"
#include "thrift_test_server.h"

namespace archivist::service::testing {
namespace {

namespace fs = std::filesystem;

class ThriftApiTest : public ThriftServerTest {
 protected:
  void SetUp() override {
    ThriftServerTest::SetUp();
    if (HasFatalFailure()) return;
    StartServer();
  }

  // Ingests the two sample documents; returns the discharge summary's doc id.
  std::string IngestSamples(Client& client) {
    auto discharge = client.Ingest("discharge_summary.txt", kDischargeSummary);
    EXPECT_TRUE(discharge.ok()) << discharge.status().ToString();
    auto policy = client.Ingest("retention_policy.txt", kRetentionPolicy, "legal", {"policy"});
    EXPECT_TRUE(policy.ok()) << policy.status().ToString();
    return discharge.ok() ? discharge->doc_id : "";
  }
};

TEST_F(ThriftApiTest, HealthNeedsNoSetup) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  auto health = client->Health();
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(*health, "ok");
}

TEST_F(ThriftApiTest, IngestThenSearchFindsTheDocument) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  auto ingested = client->Ingest("discharge_summary.txt", kDischargeSummary);
  ASSERT_TRUE(ingested.ok()) << ingested.status().ToString();
  EXPECT_EQ(ingested->outcome, pipeline::Outcome::kIngested);
  EXPECT_EQ(ingested->doc_id, Sha256Hex(kDischargeSummary));
  EXPECT_GE(ingested->pages, 1);
  EXPECT_GE(ingested->chunks, 1);
  EXPECT_EQ(ingested->media_type, "text/plain");

  index::SearchOptions options;
  options.k = 5;
  auto hits = client->Search("warfarin", options);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
  // Uploads keep their own name as the source, marked as coming through the API.
  EXPECT_EQ(hits->front().source_path, "api:discharge_summary.txt");
  EXPECT_EQ(hits->front().title, "discharge_summary");
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ(hits->front().doc_id, ingested->doc_id);
  EXPECT_EQ(hits->front().page, 1);
  EXPECT_EQ(hits->front().collection, "default");
  EXPECT_NE(hits->front().snippet.find("arfarin"), std::string::npos) << hits->front().snippet;
  EXPECT_FALSE(hits->front().title.empty());
  EXPECT_GT(hits->front().lexical_rank, 0);

  auto document = client->GetDocument(ingested->doc_id);
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  EXPECT_EQ(document->doc_id, ingested->doc_id);
  EXPECT_EQ(document->page_count, ingested->pages);
  EXPECT_EQ(document->chunk_count, ingested->chunks);
  EXPECT_EQ(document->collection, "default");
  EXPECT_EQ(document->size_bytes, sizeof(kDischargeSummary) - 1);
}

TEST_F(ThriftApiTest, SameBytesTwiceIsADuplicate) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  auto first = client->Ingest("a.txt", kDischargeSummary);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = client->Ingest("renamed.txt", kDischargeSummary);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->outcome, pipeline::Outcome::kDuplicate);
  EXPECT_EQ(second->doc_id, first->doc_id);
  auto stats = client->Stats();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->documents, 1u);
}

TEST_F(ThriftApiTest, CollectionsAndTagsTravelWithTheUpload) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  const std::string discharge_id = IngestSamples(*client);
  const std::string policy_id = Sha256Hex(kRetentionPolicy);

  auto policy = client->GetDocument(policy_id);
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ(policy->collection, "legal");
  EXPECT_EQ(policy->tags, std::vector<std::string>{"policy"});

  index::SearchOptions legal;
  legal.collection = "legal";
  auto hits = client->Search("warfarin transfers", legal);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  for (const index::SearchHit& hit : *hits) EXPECT_EQ(hit.doc_id, policy_id);

  auto stats = client->Stats();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->documents, 2u);
  EXPECT_GE(stats->chunks, 2u);
  bool saw_legal = false;
  for (const auto& [name, documents] : stats->collections) {
    if (name == "legal") {
      saw_legal = true;
      EXPECT_EQ(documents, 1u);
    }
  }
  EXPECT_TRUE(saw_legal);
}

TEST_F(ThriftApiTest, PagesChunksAndListingsLeadBackToTheSource) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  const std::string discharge_id = IngestSamples(*client);

  auto hits = client->Search("metoprolol", {});
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
  auto chunk = client->GetChunk(hits->front().chunk_id);
  ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
  EXPECT_EQ(chunk->doc_id, discharge_id);
  EXPECT_NE(chunk->text.find("metoprolol"), std::string::npos) << chunk->text;
  ASSERT_FALSE(chunk->spans.empty());

  // A chunk's spans point into its page's text, which the API returns verbatim.
  const index::ChunkSpanRecord& span = chunk->spans.front();
  auto page = client->GetPage(discharge_id, span.page);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->number, span.page);
  ASSERT_LE(span.end, page->text.size());
  ASSERT_LT(span.begin, span.end);
  EXPECT_NE(chunk->text.find(page->text.substr(span.begin, span.end - span.begin)),
            std::string::npos);

  EXPECT_EQ(client->GetPage(discharge_id, 99).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(client->GetPage(discharge_id, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->GetChunk(987654321).status().code(), StatusCode::kNotFound);

  auto all = client->ListDocuments();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->total, 2);
  EXPECT_EQ(all->documents.size(), 2u);
  auto legal = client->ListDocuments("legal");
  ASSERT_TRUE(legal.ok()) << legal.status().ToString();
  ASSERT_EQ(legal->documents.size(), 1u);
  EXPECT_EQ(legal->documents.front().doc_id, Sha256Hex(kRetentionPolicy));
  auto second_page = client->ListDocuments("", 1, 1);
  ASSERT_TRUE(second_page.ok()) << second_page.status().ToString();
  EXPECT_EQ(second_page->total, 2);
  ASSERT_EQ(second_page->documents.size(), 1u);
  EXPECT_EQ(second_page->documents.front().doc_id, all->documents[1].doc_id);
  EXPECT_EQ(client->ListDocuments("", 0, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ThriftApiTest, AskCitesTheSupportingDocument) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  const std::string discharge_id = IngestSamples(*client);
  auto answer = client->Ask("What dose of warfarin was given on discharge?", {});
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  ASSERT_TRUE(answer->found) << answer->text;
  ASSERT_FALSE(answer->citations.empty());
  EXPECT_EQ(answer->citations.front().doc_id, discharge_id);
  EXPECT_EQ(answer->citations.front().page, 1);
  EXPECT_NE(answer->text.find("warfarin"), std::string::npos) << answer->text;
}

TEST_F(ThriftApiTest, BadRequestsGetTypedErrorsAndTheConnectionSurvives) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  index::SearchOptions options;
  EXPECT_EQ(client->Search("", options).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Search("   ", options).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Search("caf\xc3", options).status().code(), StatusCode::kInvalidArgument);
  index::SearchOptions zero_k;
  zero_k.k = 0;
  const Status bad_k = client->Search("warfarin", zero_k).status();
  EXPECT_EQ(bad_k.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_k.message().find("k is 0"), std::string::npos) << bad_k.ToString();

  EXPECT_EQ(client->GetDocument("not-a-doc-id").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->GetDocument(std::string(64, '0')).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(client->Ingest("../escape.txt", "hello there").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Ingest("empty.txt", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Ask("", {}).status().code(), StatusCode::kInvalidArgument);

  // Errors are replies, not broken connections: the same client goes on working.
  auto health = client->Health();
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(*health, "ok");
}

TEST_F(ThriftApiTest, ConcurrentClientsAllGetTheSameAnswer) {
  {
    auto client = Connect();
    ASSERT_NE(client, nullptr);
    IngestSamples(*client);
  }
  const std::string expected = Sha256Hex(kDischargeSummary);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto client = Client::Connect("127.0.0.1", server_->port());
      if (!client.ok()) {
        ++failures;
        return;
      }
      for (int i = 0; i < 25; ++i) {
        auto hits = (*client)->Search("warfarin metoprolol", {});
        if (!hits.ok() || hits->empty() || hits->front().doc_id != expected) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

// Runs a shell command; returns its exit code and stdout, stderr into *err.
TEST_F(ThriftApiTest, PythonClientFindsTheSameHits) {
  if (std::string(ARCHIVIST_PYTHON3).empty()) {
    GTEST_SKIP() << "no python3 with the thrift package (python3-thrift) was found at configure "
                    "time; install python3-thrift and re-run cmake";
  }
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  IngestSamples(*client);

  index::SearchOptions options;
  options.k = 5;
  auto hits = client->Search("warfarin anticoagulation", options);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());

  std::string out, err;
  const int code =
      RunCommand(PythonCommand(server_->port(), "--query 'warfarin anticoagulation' -k 5"), &out,
                 &err, dir_ + "/python.err");
  ASSERT_EQ(code, 0) << "stdout:\n" << out << "\nstderr:\n" << err;

  // One line per hit: rank, doc_id, page, chunk_id, score, title (tab-separated).
  std::vector<std::pair<std::string, uint64_t>> python_hits;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    int rank = 0, page = 0;
    std::string doc_id;
    uint64_t chunk_id = 0;
    ASSERT_TRUE(fields >> rank >> doc_id >> page >> chunk_id) << line;
    python_hits.emplace_back(doc_id, chunk_id);
  }
  ASSERT_EQ(python_hits.size(), hits->size()) << out;
  for (size_t i = 0; i < hits->size(); ++i) {
    EXPECT_EQ(python_hits[i].first, (*hits)[i].doc_id) << "rank " << i + 1;
    EXPECT_EQ(python_hits[i].second, (*hits)[i].chunk_id) << "rank " << i + 1;
  }
}

TEST_F(ThriftApiTest, PythonClientSeesTypedErrors) {
  if (std::string(ARCHIVIST_PYTHON3).empty()) {
    GTEST_SKIP() << "no python3 with the thrift package (python3-thrift) was found";
  }
  std::string out, err;
  const int code = RunCommand(PythonCommand(server_->port(), "--query warfarin -k 0"), &out, &err,
                              dir_ + "/python.err");
  EXPECT_EQ(code, 2) << err;
  EXPECT_NE(err.find("INVALID_ARGUMENT"), std::string::npos) << err;
}

TEST_F(ThriftApiTest, PythonClientIngestsAFile) {
  if (std::string(ARCHIVIST_PYTHON3).empty()) {
    GTEST_SKIP() << "no python3 with the thrift package (python3-thrift) was found";
  }
  const std::string path = dir_ + "/retention_policy.txt";
  std::ofstream(path) << kRetentionPolicy;
  std::string out, err;
  const int code = RunCommand(
      PythonCommand(server_->port(), "--ingest " + path + " --collection legal --query shredded"),
      &out, &err, dir_ + "/python.err");
  ASSERT_EQ(code, 0) << err;
  EXPECT_NE(err.find("INGESTED"), std::string::npos) << err;
  EXPECT_NE(out.find(Sha256Hex(kRetentionPolicy)), std::string::npos) << out;
}

TEST_F(ThriftApiTest, StopEndsServeAndTheServerStopsAnswering) {
  const int port = server_->port();
  StopServer();
  auto client = Client::Connect("127.0.0.1", port);
  EXPECT_FALSE(client.ok());
  if (!client.ok()) {
    EXPECT_EQ(client.status().code(), StatusCode::kUnavailable);
  }
}

TEST_F(ThriftApiTest, APortInUseIsReportedByCreate) {
  ServerOptions options = options_;
  options.port = server_->port();
  auto second = Server::Create(options, *archive_, *embedder_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable) << second.status().ToString();
}

class ThriftLifecycleTest : public ThriftServerTest {};

TEST_F(ThriftLifecycleTest, StopBeforeServeMakesServeReturn) {
  auto server = Server::Create(options_, *archive_, *embedder_);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  (*server)->Stop();
  EXPECT_TRUE((*server)->Serve().ok());
  EXPECT_FALSE((*server)->Serve().ok()) << "Serve() twice must be refused";
}

TEST_F(ThriftLifecycleTest, StopDisconnectsIdleClients) {
  // No idle timeout: only Stop() itself can free the worker the idle client holds, so a Stop()
  // that did not close idle connections would leave Serve() blocked forever.
  options_.idle_timeout_ms = 0;
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Health().ok());
  StopServer();  // joins the serving thread
  // The connection was closed under the client: its next call fails cleanly.
  EXPECT_EQ(client->Health().status().code(), StatusCode::kUnavailable);
}

TEST_F(ThriftLifecycleTest, StopFlagEndsServe) {
  std::atomic<bool> stop{false};
  options_.stop_flag = &stop;
  auto server = Server::Create(options_, *archive_, *embedder_);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  Status served = Status::Internal("Serve() did not return");
  std::thread serving([&] { served = (*server)->Serve(); });
  {
    auto client = Client::Connect("127.0.0.1", (*server)->port());
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    if (client.ok()) {
      EXPECT_TRUE((*client)->Health().ok());
    }
  }
  stop = true;  // what a signal handler would do
  serving.join();
  EXPECT_TRUE(served.ok()) << served.ToString();
}

TEST_F(ThriftLifecycleTest, InvalidOptionsAreRefused) {
  options_.worker_threads = 0;
  auto server = Server::Create(options_, *archive_, *embedder_);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace archivist::service::testing
