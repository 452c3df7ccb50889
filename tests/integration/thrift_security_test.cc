// Security of the Thrift API against a real server: tokens (missing, wrong, expired), roles,
// per-collection rights on every call, the hash-chained audit log, TLS with a certificate made at
// test time, the concurrency cap, call deadlines, and batch and ask jobs.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "../unit/pipeline/generative_fixture.h"  // TinySpec: a random tiny GGUF model
#include "archivist/pipeline/generation.h"
#include "thrift_test_server.h"

namespace archivist::service::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kReaderToken[] = "reader-secret-4f1c";
constexpr char kIngesterToken[] = "ingester-secret-99ab";
constexpr char kAdminToken[] = "admin-secret-0d2e";
constexpr char kExpiredToken[] = "expired-secret-7777";

ApiToken Token(const std::string& name, const std::string& secret, Role role,
               std::vector<std::string> collections, int64_t expires_at = 0) {
  ApiToken token;
  token.name = name;
  token.sha256_hex = Sha256Hex(secret);
  token.role = role;
  token.collections = std::move(collections);
  token.expires_at = expires_at;
  return token;
}


class ThriftSecurityTest : public ThriftServerTest {
 protected:
  void SetUp() override {
    ThriftServerTest::SetUp();
    if (HasFatalFailure()) return;
    options_.tokens = {Token("clinic-reader", kReaderToken, Role::kReader, {"clinical"}),
                       Token("clinic-ingest", kIngesterToken, Role::kIngester, {"clinical"}),
                       Token("ops-admin", kAdminToken, Role::kAdmin, {}),
                       Token("old-reader", kExpiredToken, Role::kReader, {}, /*expires_at=*/1000)};
    options_.audit_log_path = dir_ + "/audit.log";
    options_.ingest.collection = "clinical";
  }

  std::unique_ptr<Client> ConnectAs(const std::string& token, const std::string& ca = "") {
    ClientOptions options;
    options.port = server_->port();
    options.auth_token = token;
    options.tls_ca_file = ca;
    auto client = Client::Connect(options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(*client) : nullptr;
  }

  // A clinical document (by the ingester) and a legal one (by the admin).
  void IngestBoth(std::string* clinical_id, std::string* legal_id, const std::string& ca = "") {
    auto ingester = ConnectAs(kIngesterToken, ca);
    auto admin = ConnectAs(kAdminToken, ca);
    ASSERT_TRUE(ingester && admin);
    auto clinical = ingester->Ingest("discharge_summary.txt", kDischargeSummary, "clinical");
    ASSERT_TRUE(clinical.ok()) << clinical.status().ToString();
    auto legal = admin->Ingest("retention_policy.txt", kRetentionPolicy, "legal");
    ASSERT_TRUE(legal.ok()) << legal.status().ToString();
    *clinical_id = clinical->doc_id;
    *legal_id = legal->doc_id;
  }
};

TEST_F(ThriftSecurityTest, TokensAreCheckedAndHealthNeedsNone) {
  StartServer();
  auto anonymous = ConnectAs("");
  ASSERT_NE(anonymous, nullptr);
  auto health = anonymous->Health();
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  index::SearchOptions search;
  EXPECT_EQ(anonymous->Search("warfarin", search).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(anonymous->Stats().status().code(), StatusCode::kUnauthenticated);

  auto wrong = ConnectAs("reader-secret-4f1d");
  const Status refused = wrong->Search("warfarin", search).status();
  EXPECT_EQ(refused.code(), StatusCode::kUnauthenticated);
  auto expired = ConnectAs(kExpiredToken);
  const Status too_old = expired->Search("warfarin", search).status();
  EXPECT_EQ(too_old.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(too_old.message().find("expired"), std::string::npos) << too_old.ToString();

  auto reader = ConnectAs(kReaderToken);
  EXPECT_TRUE(reader->Search("warfarin", search).ok());
}

TEST_F(ThriftSecurityTest, RolesLimitWhatACallerMayDo) {
  StartServer();
  auto reader = ConnectAs(kReaderToken);
  auto ingester = ConnectAs(kIngesterToken);
  auto admin = ConnectAs(kAdminToken);
  ASSERT_TRUE(reader && ingester && admin);
  EXPECT_EQ(reader->Ingest("note.txt", "A short clinical note about aspirin.").status().code(),
            StatusCode::kPermissionDenied);
  auto ingested = ingester->Ingest("note.txt", "A short clinical note about aspirin.");
  ASSERT_TRUE(ingested.ok()) << ingested.status().ToString();
  // Ingesters write only where they have rights.
  EXPECT_EQ(ingester->Ingest("memo.txt", "A legal memo.", "legal").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(reader->DeleteDocument(ingested->doc_id).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(reader->QueryAudit({}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ingester->QueryAudit({}).status().code(), StatusCode::kPermissionDenied);

  ASSERT_TRUE(ingester->DeleteDocument(ingested->doc_id).ok());
  EXPECT_EQ(reader->GetDocument(ingested->doc_id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ingester->DeleteDocument(ingested->doc_id).code(), StatusCode::kNotFound);
}

TEST_F(ThriftSecurityTest, ACollectionLimitedCallerSeesOnlyItsCollections) {
  StartServer();
  std::string clinical_id, legal_id;
  IngestBoth(&clinical_id, &legal_id);
  auto reader = ConnectAs(kReaderToken);
  auto admin = ConnectAs(kAdminToken);

  // "shredded" and "wire transfers" occur only in the legal document.
  index::SearchOptions search;
  auto admin_hits = admin->Search("contracts shredded wire transfers", search);
  ASSERT_TRUE(admin_hits.ok()) << admin_hits.status().ToString();
  ASSERT_FALSE(admin_hits->empty());
  EXPECT_EQ(admin_hits->front().doc_id, legal_id);
  auto reader_hits = reader->Search("contracts shredded wire transfers", search);
  ASSERT_TRUE(reader_hits.ok()) << reader_hits.status().ToString();
  for (const index::SearchHit& hit : *reader_hits) EXPECT_NE(hit.doc_id, legal_id);

  index::SearchOptions legal_only;
  legal_only.collection = "legal";
  EXPECT_EQ(reader->Search("contracts", legal_only).status().code(),
            StatusCode::kPermissionDenied);
  index::SearchOptions unknown;
  unknown.collection = "no-such-collection";
  EXPECT_EQ(admin->Search("contracts", unknown).status().code(), StatusCode::kNotFound);

  // Documents of other collections read as absent, whichever way they are reached.
  EXPECT_EQ(reader->GetDocument(legal_id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reader->GetPage(legal_id, 1).status().code(), StatusCode::kNotFound);
  auto legal_hit = admin->Search("shredded", legal_only);
  ASSERT_TRUE(legal_hit.ok() && !legal_hit->empty());
  EXPECT_EQ(reader->GetChunk(legal_hit->front().chunk_id).status().code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(reader->GetDocument(clinical_id).ok());

  auto listed = reader->ListDocuments();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->total, 1);
  EXPECT_EQ(listed->documents.front().doc_id, clinical_id);
  auto collections = reader->ListCollections();
  ASSERT_TRUE(collections.ok());
  ASSERT_EQ(collections->size(), 1u);
  EXPECT_EQ(collections->front().first, "clinical");
  auto all_collections = admin->ListCollections();
  ASSERT_TRUE(all_collections.ok());
  EXPECT_EQ(all_collections->size(), 2u);
  auto stats = reader->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 1u);

  // Ask and summarize are scoped to the caller's collection.
  pipeline::AskOptions ask;
  ask.min_support = 0.1;
  auto answer = reader->Ask("How long are signed contracts kept?", ask);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  for (const auto& c : answer->citations) EXPECT_NE(c.doc_id, legal_id);
  pipeline::SummarizeOptions summarize;
  summarize.doc_id = legal_id;
  EXPECT_EQ(reader->Summarize(summarize).status().code(), StatusCode::kNotFound);
  summarize.doc_id = clinical_id;
  auto summary = reader->Summarize(summarize);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->documents, 1);
  EXPECT_FALSE(summary->citations.empty());
}

TEST_F(ThriftSecurityTest, EveryCallIsAuditedInAnUneditableChain) {
  StartServer();
  std::string clinical_id, legal_id;
  IngestBoth(&clinical_id, &legal_id);
  auto reader = ConnectAs(kReaderToken);
  auto wrong = ConnectAs("not-a-token");
  index::SearchOptions search;
  auto hits = reader->Search("warfarin", search);
  ASSERT_TRUE(hits.ok() && !hits->empty());
  EXPECT_FALSE(wrong->Stats().ok());

  auto admin = ConnectAs(kAdminToken);
  auto audit = admin->QueryAudit({});
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  EXPECT_TRUE(audit->chain_intact);
  ASSERT_EQ(audit->total_entries, 4);  // two ingests, the search, the refused stats
  const AuditRecord& search_entry = audit->entries[2];
  EXPECT_EQ(search_entry.caller, "clinic-reader");
  EXPECT_EQ(search_entry.method, "search");
  EXPECT_EQ(search_entry.outcome, "OK");
  EXPECT_NE(search_entry.arguments.find("warfarin"), std::string::npos);
  ASSERT_FALSE(search_entry.doc_ids.empty());
  EXPECT_EQ(search_entry.doc_ids.front(), clinical_id);
  EXPECT_EQ(audit->entries[3].caller, "-");
  EXPECT_EQ(audit->entries[3].outcome, "UNAUTHENTICATED");
  for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(audit->entries[i].seq, i + 1);

  AuditFilter by_doc;
  by_doc.doc_id = legal_id;
  auto touched = admin->QueryAudit(by_doc);
  ASSERT_TRUE(touched.ok());
  ASSERT_EQ(touched->entries.size(), 1u);
  EXPECT_EQ(touched->entries.front().method, "ingest");
  EXPECT_EQ(touched->entries.front().caller, "ops-admin");

  // Editing a stored line breaks the chain: the query says so, and a server refuses to extend it.
  StopServer();
  std::string log = ReadFile(options_.audit_log_path);
  const size_t at = log.find("clinic-reader");
  ASSERT_NE(at, std::string::npos);
  log.replace(at, 13, "someone-else!");
  std::ofstream(options_.audit_log_path, std::ios::binary | std::ios::trunc) << log;
  auto refused = Server::Create(options_, *archive_, *embedder_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption);
}

TEST_F(ThriftSecurityTest, TlsServesTrustingClientsAndRefusesPlainOnes) {
  std::string cert, key;
  ASSERT_TRUE(MakeCertificate(dir_, &cert, &key))
      << "the openssl command failed (install the openssl package): "
      << ReadFile(dir_ + "/openssl.log");
  options_.tls_cert_file = cert;
  options_.tls_key_file = key;
  options_.idle_timeout_ms = 2000;
  StartServer();

  auto tls = ConnectAs(kIngesterToken, cert);
  ASSERT_NE(tls, nullptr);
  auto ingested = tls->Ingest("discharge_summary.txt", kDischargeSummary);
  ASSERT_TRUE(ingested.ok()) << ingested.status().ToString();
  index::SearchOptions search;
  auto hits = tls->Search("warfarin", search);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ(hits->front().doc_id, ingested->doc_id);

  // A plaintext client cannot talk to the TLS port ...
  ClientOptions plain;
  plain.port = server_->port();
  plain.auth_token = kReaderToken;
  plain.call_timeout_ms = 5000;
  auto plain_client = Client::Connect(plain);
  if (plain_client.ok()) {
    EXPECT_FALSE((*plain_client)->Health().ok());
  }
  // ... nor a client that trusts another certificate.
  std::string other_cert, other_key;
  fs::create_directories(dir_ + "/other");
  ASSERT_TRUE(MakeCertificate(dir_ + "/other", &other_cert, &other_key));
  ClientOptions wrong_ca = plain;
  wrong_ca.tls_ca_file = other_cert;
  auto untrusting = Client::Connect(wrong_ca);
  if (untrusting.ok()) {
    EXPECT_FALSE((*untrusting)->Health().ok());
  }

  // The server goes on serving the trusting client.
  EXPECT_TRUE(tls->Health().ok());
  EXPECT_TRUE(tls->Search("warfarin", search).ok());
}

TEST_F(ThriftSecurityTest, PythonClientAuthenticatesOverTls) {
  if (std::string(ARCHIVIST_PYTHON3).empty()) {
    GTEST_SKIP() << "no python3 with the thrift package (python3-thrift) was found at configure "
                    "time; install python3-thrift and re-run cmake";
  }
  std::string cert, key;
  ASSERT_TRUE(MakeCertificate(dir_, &cert, &key)) << ReadFile(dir_ + "/openssl.log");
  options_.tls_cert_file = cert;
  options_.tls_key_file = key;
  StartServer();
  std::string clinical_id, legal_id;
  IngestBoth(&clinical_id, &legal_id, cert);
  ASSERT_FALSE(clinical_id.empty() || legal_id.empty());

  std::string out, err;
  const std::string tls = "--tls-ca " + cert + " ";
  int code = RunCommand(PythonCommand(server_->port(), tls + "--token " + kReaderToken +
                                                           " --query warfarin -k 3"),
                        &out, &err, dir_ + "/python.err");
  ASSERT_EQ(code, 0) << "stdout:\n" << out << "\nstderr:\n" << err;
  EXPECT_NE(out.find(clinical_id), std::string::npos) << out;
  EXPECT_EQ(out.find(legal_id), std::string::npos) << out;

  code = RunCommand(PythonCommand(server_->port(), tls + "--query warfarin"), &out, &err,
                    dir_ + "/python.err");
  EXPECT_EQ(code, 2) << err;
  EXPECT_NE(err.find("UNAUTHENTICATED"), std::string::npos) << err;
}

TEST_F(ThriftSecurityTest, CallsBeyondTheConcurrencyCapAreRefused) {
  options_.max_concurrent_calls = 1;
  StartServer();
  const std::string scan = std::string(ARCHIVIST_SOURCE_DIR) + "/samples/docs/referral_letter_scan.pdf";
  const std::string bytes = ReadFile(scan);
  ASSERT_FALSE(bytes.empty()) << scan;
  auto ingester = ConnectAs(kIngesterToken);
  auto reader = ConnectAs(kReaderToken);
  std::atomic<bool> done{false};
  Status ingest_status;
  // An OCR ingest holds the only slot for a while; searches meanwhile are refused at once.
  std::thread upload([&] {
    // The searches below may hold the slot when the upload arrives: it is refused too, then.
    do {
      ingest_status = ingester->Ingest("referral_letter_scan.pdf", bytes).status();
    } while (ingest_status.code() == StatusCode::kResourceExhausted);
    done = true;
  });
  int refused = 0, other = 0;
  index::SearchOptions search;
  while (!done) {
    const Status s = reader->Search("referral", search).status();
    if (s.code() == StatusCode::kResourceExhausted) {
      ++refused;
      EXPECT_NE(s.message().find("concurrent"), std::string::npos) << s.ToString();
    } else if (!s.ok()) {
      ++other;
      ADD_FAILURE() << s.ToString();
    }
  }
  upload.join();
  EXPECT_TRUE(ingest_status.ok()) << ingest_status.ToString();
  EXPECT_GT(refused, 0);
  EXPECT_EQ(other, 0);
  // The slot is free again.
  const Status after = reader->Search("referral", search).status();
  EXPECT_TRUE(after.ok()) << after.ToString();
}

TEST_F(ThriftSecurityTest, BatchJobsRunUnderTheRootAndReportFailures) {
  const std::string root = dir_ + "/inbox";
  fs::create_directories(root + "/ward");
  std::ofstream(root + "/ward/a.txt") << kDischargeSummary;
  std::ofstream(root + "/ward/b.txt") << kRetentionPolicy;
  std::ofstream(root + "/ward/broken.pdf") << "%PDF-1.7\nthis is not a PDF body";
  std::ofstream(dir_ + "/secret.txt") << "outside the root";
  options_.batch_root = root;
  StartServer();
  auto ingester = ConnectAs(kIngesterToken);
  auto reader = ConnectAs(kReaderToken);
  auto admin = ConnectAs(kAdminToken);

  EXPECT_EQ(reader->SubmitBatch("ward").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ingester->SubmitBatch("../secret.txt").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(ingester->SubmitBatch(dir_ + "/secret.txt").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(ingester->SubmitBatch("ward", "legal").status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(ingester->SubmitBatch("nothing-here").status().code(), StatusCode::kNotFound);

  auto job = ingester->SubmitBatch("ward");
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->kind, JobKind::kBatchIngest);
  EXPECT_EQ(reader->GetJob(job->job_id).status().code(), StatusCode::kNotFound);  // not theirs
  Result<JobInfo> status = job;
  for (int i = 0; i < 600 && status.ok() && !status->finished(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = ingester->GetJob(job->job_id);
  }
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  ASSERT_EQ(status->state, JobState::kSucceeded) << JobStateName(status->state);
  EXPECT_EQ(status->ingested, 2);
  EXPECT_EQ(status->failed, 1);
  EXPECT_EQ(status->files_total, 3);
  ASSERT_EQ(status->failures.size(), 1u);
  EXPECT_EQ(status->failures.front().path, "ward/broken.pdf");
  EXPECT_FALSE(status->failures.front().error.ok());
  EXPECT_TRUE(admin->GetJob(job->job_id).ok());  // admins see every job
  auto listed = reader->ListDocuments("clinical");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->total, 2);
}

TEST_F(ThriftSecurityTest, AskJobsAreAnsweredInTheBackground) {
  StartServer();
  std::string clinical_id, legal_id;
  IngestBoth(&clinical_id, &legal_id);
  auto reader = ConnectAs(kReaderToken);
  pipeline::AskOptions ask;
  ask.min_support = 0.1;
  auto job = reader->SubmitAsk("Which medications is the patient on?", ask);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->kind, JobKind::kAsk);
  Result<JobInfo> status = job;
  for (int i = 0; i < 600 && status.ok() && !status->finished(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = reader->GetJob(job->job_id);
  }
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  ASSERT_EQ(status->state, JobState::kSucceeded) << status->error.ToString();
  ASSERT_TRUE(status->answer.has_value());
  EXPECT_TRUE(status->answer->found);
  ASSERT_FALSE(status->answer->citations.empty());
  EXPECT_EQ(status->answer->citations.front().doc_id, clinical_id);
  EXPECT_EQ(reader->GetJob("job-999-deadbeef").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reader->GetJob("../etc").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ThriftSecurityTest, CallsPastTheirDeadlineAreAnsweredResourceExhausted) {
  options_.call_deadline_ms = 1;
  StartServer();
  // A document of ~10,000 short paragraphs: a search for 1,000 hits reads and converts 1,000
  // chunks, far more than the 1 ms deadline allows.
  std::string big = "Ward Journal\n\n";
  for (int i = 0; i < 10'000; ++i) {
    big += "Entry " + std::to_string(i) + ": warfarin dose " + std::to_string(i % 17) +
           " mg reviewed by the anticoagulation nurse on round " + std::to_string(i / 7) +
           ".\n\n";
  }
  auto admin = ConnectAs(kAdminToken);
  auto ingested = admin->Ingest("ward_journal.txt", big);
  ASSERT_TRUE(ingested.ok()) << ingested.status().ToString();
  ASSERT_GT(ingested->chunks, 100);
  index::SearchOptions search;
  search.k = 1000;
  search.candidates = 2000;
  int late = 0;
  for (int i = 0; i < 20 && late == 0; ++i) {
    const Status s = admin->Search("warfarin anticoagulation", search).status();
    if (s.ok()) continue;
    ASSERT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
    EXPECT_NE(s.message().find("deadline"), std::string::npos) << s.ToString();
    ++late;
  }
  EXPECT_GT(late, 0) << "no search took longer than 1 ms";
  EXPECT_TRUE(admin->Health().ok());
}

TEST_F(ThriftSecurityTest, UseModelRunsTheServersModel) {
  const std::string model = dir_ + "/tiny.gguf";
  ASSERT_TRUE(engine::WriteRandomModel(pipeline::testing::TinySpec(), model).ok());
  options_.generation.model_path = model;
  options_.generation.context_tokens = 1024;
  options_.generation.max_answer_tokens = 16;
  options_.generation.threads = 1;
  auto models = pipeline::LanguageModels::Load(options_.generation);
  ASSERT_TRUE(models.ok()) << models.status().ToString();
  options_.generation.models = *models;
  StartServer();
  std::string clinical_id, legal_id;
  IngestBoth(&clinical_id, &legal_id);
  auto reader = ConnectAs(kReaderToken);
  pipeline::AskOptions extractive;
  auto plain = reader->Ask("Which medications is the patient on?", extractive);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_TRUE(plain->extractive);  // no use_model: the model stays idle
  pipeline::AskOptions generated;
  generated.generation.model_path = "use-the-servers";
  generated.generation.max_answer_tokens = 8;
  auto answer = reader->Ask("Which medications is the patient on?", generated);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_FALSE(answer->extractive);
  for (const auto& c : answer->citations) EXPECT_NE(c.doc_id, legal_id);
}

TEST_F(ThriftSecurityTest, StopFinishesTheCallInFlight) {
  options_.max_concurrent_calls = 1;  // lets the test see when the upload is being served
  StartServer();
  const std::string bytes =
      ReadFile(std::string(ARCHIVIST_SOURCE_DIR) + "/samples/docs/referral_letter_scan.pdf");
  ASSERT_FALSE(bytes.empty());
  auto ingester = ConnectAs(kIngesterToken);
  auto prober = ConnectAs(kReaderToken);
  std::atomic<bool> done{false};
  Result<IngestResult> result = Status::Internal("not run");
  std::thread upload([&] {
    // The prober's own short calls take the only slot now and then; an upload refused for that
    // is simply sent again.
    do {
      result = ingester->Ingest("referral_letter_scan.pdf", bytes);
    } while (!result.ok() && result.status().code() == StatusCode::kResourceExhausted);
    done = true;
  });
  // The only slot is taken once the server is running the upload.
  bool in_flight = false;
  while (!done && !in_flight) {
    in_flight = prober->Stats().status().code() == StatusCode::kResourceExhausted;
  }
  StopServer();  // what SIGTERM does in `archivist serve`
  upload.join();
  EXPECT_TRUE(in_flight) << "the upload finished before the test could stop the server";
  // Stop waited for the OCR ingest: it finished and committed, and the reply reached the client.
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto stored = archive_->GetDocument(result->doc_id);
  EXPECT_TRUE(stored.ok()) << stored.status().ToString();
}

TEST_F(ThriftSecurityTest, AdminsBackUpTheRunningServersArchive) {
  StartServer();
  std::string clinical_id, legal_id;
  IngestBoth(&clinical_id, &legal_id);
  auto reader = ConnectAs(kReaderToken);
  auto admin = ConnectAs(kAdminToken);
  ASSERT_TRUE(reader && admin);
  const std::string target = dir_ + "/backup-1";
  EXPECT_EQ(reader->Backup(target).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(admin->Backup("relative/backup").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(admin->Backup(dir_ + "/no-such-parent/backup").code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(target));
  ASSERT_TRUE(admin->Backup(target).ok());
  EXPECT_EQ(admin->Backup(target).code(), StatusCode::kInvalidArgument);  // never overwritten

  // The copy opens on its own (the server still holds the original) and holds both documents.
  auto embedder = index::MakeBuiltinEmbedder();
  auto copy = index::Archive::Open(target, embedder.get());
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  auto stats = (*copy)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->documents, 2u);
  EXPECT_EQ(stats->vectors, stats->chunks);
  index::SearchOptions search;
  auto hits = (*copy)->Search("contracts shredded wire transfers", search);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ(hits->front().doc_id, legal_id);
}

TEST_F(ThriftSecurityTest, AnonymousAdminOnlyOnLoopback) {
  ServerOptions open;
  open.host = "0.0.0.0";
  open.port = 0;
  auto refused = Server::Create(open, *archive_, *embedder_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  ServerOptions bad_hash = options_;
  bad_hash.tokens.front().sha256_hex = kReaderToken;  // the token itself, not its hash
  EXPECT_EQ(Server::Create(bad_hash, *archive_, *embedder_).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace archivist::service::testing
