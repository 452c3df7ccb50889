// Token checks and the audit log's hash chain, without a server.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "audit_log.h"
#include "auth.h"

namespace archivist::service {
namespace {

namespace fs = std::filesystem;

TEST(Sha256HexTest, MatchesKnownDigests) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("test"), "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
}

TEST(AuthenticatorTest, FindsTheTokenByHashAndHonoursExpiry) {
  ApiToken reader{"reader", Sha256Hex("r-token"), Role::kReader, {"a", "b"}, 0};
  ApiToken old{"old", Sha256Hex("o-token"), Role::kAdmin, {}, 2000};
  Authenticator auth({reader, old});
  ASSERT_TRUE(auth.enabled());
  auto caller = auth.Authenticate(true, "r-token", 1000);
  ASSERT_TRUE(caller.ok());
  EXPECT_EQ(caller->name, "reader");
  EXPECT_TRUE(caller->restricted());
  EXPECT_TRUE(caller->MayRead("b"));
  EXPECT_FALSE(caller->MayRead("c"));
  EXPECT_EQ(caller->RequireRole(Role::kIngester, "ingest").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(caller->RequireCollection("c").code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(auth.Authenticate(true, "o-token", 1999).ok());
  EXPECT_EQ(auth.Authenticate(true, "o-token", 2000).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(auth.Authenticate(false, "", 0).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth.Authenticate(true, "R-token", 0).status().code(), StatusCode::kUnauthenticated);
  // The stored hash is not a token.
  EXPECT_EQ(auth.Authenticate(true, reader.sha256_hex, 0).status().code(),
            StatusCode::kUnauthenticated);
}

TEST(AuthenticatorTest, AdminsAreNeverRestrictedAndNoTokensMeansAnonymousAdmin) {
  Authenticator none({});
  auto anonymous = none.Authenticate(false, "", 0);
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->name, "anonymous");
  EXPECT_EQ(anonymous->role, Role::kAdmin);
  Caller admin{"root", Role::kAdmin, {"only-this"}};
  EXPECT_FALSE(admin.restricted());
  EXPECT_TRUE(admin.MayRead("anything"));
}

TEST(ApiTokenTest, ValidateRefusesPlainTokensAndBadFields) {
  ApiToken ok{"n", Sha256Hex("x"), Role::kReader, {}, 0};
  EXPECT_TRUE(ok.Validate().ok());
  ApiToken plain = ok;
  plain.sha256_hex = "x";
  EXPECT_EQ(plain.Validate().code(), StatusCode::kInvalidArgument);
  ApiToken upper = ok;
  for (char& c : upper.sha256_hex) c = static_cast<char>(std::toupper(c));
  EXPECT_EQ(upper.Validate().code(), StatusCode::kInvalidArgument);
  ApiToken unnamed = ok;
  unnamed.name.clear();
  EXPECT_EQ(unnamed.Validate().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RoleFromName("root").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*RoleFromName("ingester"), Role::kIngester);
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "archivist-audit-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/audit.log";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  static AuditRecord Entry(const std::string& caller, const std::string& method,
                           std::vector<std::string> docs = {}) {
    AuditRecord r;
    r.caller = caller;
    r.method = method;
    r.arguments = "query=x";
    r.doc_ids = std::move(docs);
    r.outcome = "OK";
    return r;
  }
  std::string dir_, path_;
};

TEST_F(AuditLogTest, EntriesChainAcrossReopensAndFilter) {
  {
    auto log = AuditLog::Open(path_);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE((*log)->Append(Entry("alice", "search", {"d1"})).ok());
    ASSERT_TRUE((*log)->Append(Entry("bob", "ingest", {"d2"})).ok());
  }
  auto log = AuditLog::Open(path_);  // continues the chain
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  AuditRecord bad_utf8 = Entry("alice", "ask");
  bad_utf8.arguments = "question=\xff\xfe";
  ASSERT_TRUE((*log)->Append(bad_utf8).ok());
  auto all = (*log)->Query({});
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->chain_intact);
  ASSERT_EQ(all->total_entries, 3);
  EXPECT_EQ(all->entries[2].seq, 3);
  EXPECT_EQ(all->entries[1].hash, AuditHash(all->entries[0].hash, [&] {
              AuditRecord r = all->entries[1];
              r.hash.clear();
              return r;
            }()));
  AuditFilter alice;
  alice.caller = "alice";
  EXPECT_EQ((*log)->Query(alice)->entries.size(), 2u);
  AuditFilter doc;
  doc.doc_id = "d2";
  ASSERT_EQ((*log)->Query(doc)->entries.size(), 1u);
  AuditFilter newest;
  newest.limit = 1;
  auto last = (*log)->Query(newest);
  ASSERT_EQ(last->entries.size(), 1u);
  EXPECT_EQ(last->entries[0].method, "ask");
}

TEST_F(AuditLogTest, ARemovedLineBreaksTheChain) {
  {
    auto log = AuditLog::Open(path_);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*log)->Append(Entry("a", "search")).ok());
  }
  std::ifstream in(path_);
  std::string first, second, third;
  std::getline(in, first);
  std::getline(in, second);
  std::getline(in, third);
  in.close();
  std::ofstream(path_, std::ios::trunc) << first << "\n" << third << "\n";
  auto reopened = AuditLog::Open(path_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace archivist::service
