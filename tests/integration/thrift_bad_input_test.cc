// Hostile and broken input on the wire: every case ends with a closed connection or a typed error,
// and the server goes on serving the next client.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "thrift_test_server.h"

namespace archivist::service::testing {
namespace {

// A plain TCP connection, with a receive timeout so a server that never answers fails the test
// instead of hanging it.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }

  bool Send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  void FinishSending() { ::shutdown(fd_, SHUT_WR); }

  // Reads until the server closes the connection. Returns false if it stays open (timeout).
  // Whatever the server sent before closing is appended to *received.
  bool WaitForClose(std::string* received = nullptr) {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n > 0) {
        if (received != nullptr) received->append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) return true;  // orderly close
      if (errno == EINTR) continue;
      return errno == ECONNRESET || errno == EPIPE;  // EAGAIN: still open
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

std::string BigEndian32(uint32_t value) {
  std::string out(4, '\0');
  out[0] = static_cast<char>(value >> 24);
  out[1] = static_cast<char>(value >> 16);
  out[2] = static_cast<char>(value >> 8);
  out[3] = static_cast<char>(value);
  return out;
}

std::string Frame(const std::string& payload) {
  return BigEndian32(static_cast<uint32_t>(payload.size())) + payload;
}

// The start of a strict-binary CALL message for `method`.
std::string CallHeader(const std::string& method) {
  return BigEndian32(0x80010001u) + BigEndian32(static_cast<uint32_t>(method.size())) + method +
         BigEndian32(1);
}

class ThriftBadInputTest : public ThriftServerTest {
 protected:
  void SetUp() override {
    ThriftServerTest::SetUp();
    if (HasFatalFailure()) return;
    // Small limits make the hostile cases cheap to build.
    options_.max_frame_bytes = 1 << 20;
    options_.max_list_items = 100;
    options_.idle_timeout_ms = 1000;
    StartServer();
  }

  void ExpectServerStillServes() {
    auto client = Connect();
    ASSERT_NE(client, nullptr);
    auto health = client->Health();
    ASSERT_TRUE(health.ok()) << health.status().ToString();
    EXPECT_EQ(*health, "ok");
  }
};

// The same limits over TLS.
class ThriftSecurityBadInputTest : public ThriftServerTest {
 protected:
  void SetUp() override {
    ThriftServerTest::SetUp();
    if (HasFatalFailure()) return;
    std::string key;
    ASSERT_TRUE(MakeCertificate(dir_, &cert_, &key)) << ReadFile(dir_ + "/openssl.log");
    options_.tls_cert_file = cert_;
    options_.tls_key_file = key;
    options_.idle_timeout_ms = 1000;
    StartServer();
  }
  std::string cert_;
};

TEST_F(ThriftBadInputTest, GarbageBytesCloseTheConnection) {
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.Send("this is not thrift at all, just noise \x01\x02\x03\xff\xfe"));
  EXPECT_TRUE(raw.WaitForClose());
  ExpectServerStillServes();
}

TEST_F(ThriftBadInputTest, WrongProtocolClosesTheConnection) {
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.Send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  EXPECT_TRUE(raw.WaitForClose());
  ExpectServerStillServes();
}

TEST_F(ThriftBadInputTest, OversizedAndNegativeFrameSizesAreRefused) {
  for (uint32_t size : {(1u << 20) + 1, 0x7fffffffu, 0xffffffffu}) {
    RawConnection raw(server_->port());
    ASSERT_TRUE(raw.connected());
    ASSERT_TRUE(raw.Send(BigEndian32(size) + "abcd"));
    EXPECT_TRUE(raw.WaitForClose()) << "frame size " << size;
  }
  ExpectServerStillServes();
}

TEST_F(ThriftBadInputTest, GarbageInsideAValidFrameClosesTheConnection) {
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.Send(Frame("\x13\x37\xde\xad\xbe\xef garbage payload")));
  EXPECT_TRUE(raw.WaitForClose());
  ExpectServerStillServes();
}

TEST_F(ThriftBadInputTest, TruncatedMessageIsDropped) {
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  // The frame announces 1000 bytes; the client sends a dozen and hangs up.
  ASSERT_TRUE(raw.Send(BigEndian32(1000) + CallHeader("health")));
  raw.FinishSending();
  EXPECT_TRUE(raw.WaitForClose());
  ExpectServerStillServes();
}

TEST_F(ThriftBadInputTest, OversizedStringIsRefused) {
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  // search(SearchRequest{query: <a string claiming 2 GiB>}) inside a small frame.
  std::string message = CallHeader("search");
  message += std::string("\x0c\x00\x01", 3);         // field 1: struct (the request)
  message += std::string("\x0b\x00\x0a", 3);         // field 10: string (query)
  message += BigEndian32(0x7ffffff0u) + "warfarin";  // length far beyond the frame
  ASSERT_TRUE(raw.Send(Frame(message)));
  // A typed error or a closed connection are both acceptable; a hang or a crash are not.
  std::string reply;
  raw.FinishSending();
  EXPECT_TRUE(raw.WaitForClose(&reply));
  ExpectServerStillServes();
}

TEST_F(ThriftBadInputTest, OversizedListIsRefused) {
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  // ingest(IngestRequest{tags: list<string> of 1,000,000 claimed elements}).
  std::string message = CallHeader("ingest");
  message += std::string("\x0c\x00\x01", 3);  // field 1: struct (the request)
  message += std::string("\x0f\x00\x0d", 3);  // field 13: list (tags)
  message += std::string("\x0b", 1) + BigEndian32(1'000'000);
  ASSERT_TRUE(raw.Send(Frame(message)));
  raw.FinishSending();
  EXPECT_TRUE(raw.WaitForClose());
  ExpectServerStillServes();
}

TEST_F(ThriftBadInputTest, UnknownMethodGetsAnErrorReply) {
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  std::string message = CallHeader("dropAllTables") + std::string("\x00", 1);  // empty args
  ASSERT_TRUE(raw.Send(Frame(message)));
  raw.FinishSending();
  std::string reply;
  EXPECT_TRUE(raw.WaitForClose(&reply));
  // The server answers with a TApplicationException (message type 3) naming the method.
  ASSERT_GE(reply.size(), 8u);
  EXPECT_EQ(static_cast<unsigned char>(reply[7]), 3u);
  EXPECT_NE(reply.find("dropAllTables"), std::string::npos);
  ExpectServerStillServes();
}

TEST_F(ThriftBadInputTest, SilentClientsAreDisconnectedAndCannotLockOthersOut) {
  // As many silent connections as there are workers: without the idle timeout they would pin
  // every worker thread forever.
  std::vector<std::unique_ptr<RawConnection>> silent;
  for (int i = 0; i < options_.worker_threads; ++i) {
    silent.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(silent.back()->connected());
  }
  for (auto& raw : silent) EXPECT_TRUE(raw->WaitForClose());
  ExpectServerStillServes();
}

TEST_F(ThriftBadInputTest, DeeplyNestedQueriesGetATypedErrorOrAnAnswer) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Ingest("note.txt", kDischargeSummary).ok());
  index::SearchOptions search;
  // As deep as the query size limit allows: the parser must neither overflow its stack nor hang.
  const int depth = options_.max_query_bytes / 2 - 8;
  const std::string nested = std::string(depth, '(') + "warfarin" + std::string(depth, ')');
  const Status parens = client->Search(nested, search).status();
  EXPECT_TRUE(parens.ok() || parens.code() == StatusCode::kInvalidArgument) << parens.ToString();
  std::string nots;
  for (int i = 0; i < depth / 4; ++i) nots += "NOT ";
  const Status negations = client->Search(nots + "warfarin", search).status();
  EXPECT_TRUE(negations.ok() || negations.code() == StatusCode::kInvalidArgument)
      << negations.ToString();
  const Status filters = client->Search(std::string(depth, '(') + "collection:default tag:x", search)
                             .status();
  EXPECT_TRUE(filters.ok() || filters.code() == StatusCode::kInvalidArgument)
      << filters.ToString();
  // One byte over the limit is refused outright.
  const Status too_long = client->Search(std::string(options_.max_query_bytes + 1, '('), search)
                              .status();
  EXPECT_EQ(too_long.code(), StatusCode::kInvalidArgument) << too_long.ToString();
  ExpectServerStillServes();
}

TEST_F(ThriftBadInputTest, InvalidUtf8AndUnknownNamesInTheNewCallsAreTyped) {
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  const std::string bad = "caf\xc3\x28";
  pipeline::SummarizeOptions summarize;
  summarize.query = bad;
  EXPECT_EQ(client->Summarize(summarize).status().code(), StatusCode::kInvalidArgument);
  summarize.query.clear();
  EXPECT_EQ(client->Summarize(summarize).status().code(), StatusCode::kInvalidArgument);  // none
  summarize.doc_id = std::string(64, 'a');
  summarize.tag = "x";
  EXPECT_EQ(client->Summarize(summarize).status().code(), StatusCode::kInvalidArgument);  // two
  pipeline::AskOptions ask;
  ask.collection = "no-such-collection";
  EXPECT_EQ(client->Ask("what?", ask).status().code(), StatusCode::kNotFound);
  ask.collection = bad;
  EXPECT_EQ(client->Ask("what?", ask).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->SubmitBatch(bad).status().code(), StatusCode::kUnsupported);  // no root
  pipeline::AskOptions generated;
  generated.generation.model_path = "any.gguf";  // asks for the server's model: it has none
  EXPECT_EQ(client->Ask("what?", generated).status().code(), StatusCode::kUnsupported);
  generated.generation.temperature = 5;
  EXPECT_EQ(client->Ask("what?", generated).status().code(), StatusCode::kInvalidArgument);
  AuditFilter filter;
  filter.caller = bad;
  EXPECT_EQ(client->QueryAudit(filter).status().code(), StatusCode::kInvalidArgument);
  filter.caller.clear();
  filter.limit = 0;
  EXPECT_EQ(client->QueryAudit(filter).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->DeleteDocument("not-hex").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->DeleteDocument(std::string(64, 'b')).code(), StatusCode::kNotFound);
  EXPECT_EQ(client->GetJob(std::string(200, 'j')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->CancelJob("job-1-00000000").status().code(), StatusCode::kNotFound);
  ExpectServerStillServes();
}

TEST_F(ThriftSecurityBadInputTest, SilentClientsOfATlsServerAreDisconnected) {
  // Connections that never start the TLS handshake must not pin the workers either.
  std::vector<std::unique_ptr<RawConnection>> silent;
  for (int i = 0; i < options_.worker_threads; ++i) {
    silent.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(silent.back()->connected());
  }
  // Garbage instead of a ClientHello is dropped too.
  RawConnection garbage(server_->port());
  ASSERT_TRUE(garbage.Send(std::string(64, '\x16') + "not a handshake"));
  EXPECT_TRUE(garbage.WaitForClose());
  for (auto& raw : silent) EXPECT_TRUE(raw->WaitForClose());
  ClientOptions tls;
  tls.port = server_->port();
  tls.tls_ca_file = cert_;
  auto client = Client::Connect(tls);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto health = (*client)->Health();
  EXPECT_TRUE(health.ok()) << health.status().ToString();
}

}  // namespace
}  // namespace archivist::service::testing
