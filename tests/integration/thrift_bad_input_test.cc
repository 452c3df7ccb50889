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

}  // namespace
}  // namespace archivist::service::testing
