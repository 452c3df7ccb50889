// Proof of air-gap. `archivist ingest`, `search` and `ask` run as a user would run them, but inside
// a network namespace that has nothing but loopback (`unshare -n`) and under
// `strace -f -y`; the trace must show no socket but AF_UNIX, no address but loopback, no file
// written outside the data directory and /tmp, and nothing read from $HOME/.cache.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "airgap_strace.h"
#include "samples_truth.h"

namespace archivist {
namespace {
namespace fs = std::filesystem;
using testing::AirgapReport;
using testing::AirgapRules;
using testing::CheckStraceLog;
using testing::ReadWholeFile;

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

int Shell(const std::string& cmd) {
  int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Every syscall that creates a socket, names an address, or opens/creates/renames/removes a file.
constexpr const char* kTraced =
    "%network,openat,?openat2,?open,?creat,mkdirat,?mkdir,unlinkat,?unlink,?rmdir,"
    "renameat,?renameat2,?rename";

TEST(AirgapStraceCheck, FlagsEachKindOfLeakAndAcceptsCleanCalls) {
  AirgapRules rules{{"/tmp/w/data", "/tmp"}, {"/tmp/w/home/.cache"}, {"/tmp/w/home"}};
  const std::string log =
      "101 socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3<socket:[1]>\n"
      "101 connect(3<socket:[1]>, {sa_family=AF_UNIX, sun_path=\"/run/nscd/socket\"}, 110) = -1\n"
      "101 openat(AT_FDCWD</tmp/w/cwd>, \"../data/000005.log\", O_RDWR|O_CREAT, 0644) = 4\n"
      "101 openat(AT_FDCWD</tmp/w/cwd>, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3\n"
      "101 openat(7</tmp/w/data>, \"CURRENT\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 5\n"
      "102 renameat(AT_FDCWD</>, \"/tmp/w/data/a.tmp\", AT_FDCWD</>, \"/tmp/w/data/a\") = 0\n"
      "102 openat(AT_FDCWD</>, \"/dev/null\", O_WRONLY) = 6</dev/null>\n"
      "102 openat(AT_FDCWD</>, \"/proc/self/task/104/comm\", O_RDWR) = 7</proc/102/task/104/comm>\n"
      "102 +++ exited with 0 +++\n"
      // Each of the following is one violation.
      "103 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 7<socket:[2]>\n"
      "103 socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) = 8\n"
      "103 connect(7<socket:[2]>, {sa_family=AF_INET, sin_port=htons(443), "
      "sin_addr=inet_addr(\"192.0.2.10\")}, 16 <unfinished ...>\n"
      "103 openat(AT_FDCWD</tmp/w/cwd>, \"/var/log/archivist.log\", O_WRONLY|O_APPEND|O_CREAT, "
      "0644) = -1 EACCES (Permission denied)\n"
      "103 openat(AT_FDCWD</tmp/w/cwd>, \"/tmp/w/home/.cache/model.bin\", O_RDONLY) = 9\n"
      "103 mkdirat(AT_FDCWD</tmp/w/cwd>, \"/tmp/w/home/.config\", 0777) = 0\n"
      "103 renameat2(AT_FDCWD</>, \"/tmp/w/data/x\", AT_FDCWD</>, \"/srv/x\", 0) = 0\n"
      "103 openat(5, \"relative\", O_WRONLY) = 10\n"
      "103 openat(AT_FDCWD</>, \"/proc/self/task/104/environ\", O_RDWR) = 11\n";
  AirgapReport r = CheckStraceLog(log, rules);
  std::string all;
  for (const auto& v : r.violations) all += v + "\n";
  EXPECT_EQ(r.violations.size(), 9u) << all;
  EXPECT_EQ(r.sockets, 3);
  EXPECT_EQ(r.file_calls, 12);
  // The data-directory log, CURRENT, both sides of the first rename, /dev/null, the thread name,
  // and the source side of the second rename.
  EXPECT_EQ(r.writes_allowed, 7);
  for (const char* expected : {"AF_INET,", "AF_NETLINK", "192.0.2.10", "/var/log/archivist.log",
                               "/tmp/w/home/.cache/model.bin", "/tmp/w/home/.config", "/srv/x",
                               "unresolved path", "/proc/self/task/104/environ"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << "not flagged: " << expected << "\n" << all;
  }
}

class AirgapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Shell("command -v strace >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "strace is not installed (scripts/install-deps.sh installs it)";
    }
    if (Shell("unshare -n true >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "`unshare -n` is not permitted here (needs root or user namespaces): "
                      "the air-gap proof cannot run";
    }
    if (Shell("strace -f -o /dev/null true >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "strace cannot trace here (ptrace is blocked): the air-gap proof cannot run";
    }
    // /tmp itself, not TMPDIR: the rule under test is "data directory and /tmp".
    work_ = fs::path("/tmp") / ("archivist_airgap_test_" + std::to_string(::getpid()));
    fs::remove_all(work_);
    for (const char* d : {"home/.cache", "cwd", "logs"}) fs::create_directories(work_ / d);
    // Something a careless library might pick up: it must not even be opened.
    std::ofstream(work_ / "home/.cache/poison") << "must not be read\n";
  }
  void TearDown() override {
    if (!work_.empty() && !HasFailure()) fs::remove_all(work_);
  }

  struct Run {
    int code = -1;
    std::string out, err, log;
  };

  // Runs `archivist ARGS` in a fresh network namespace under strace, with a scrubbed environment
  // whose HOME is a temp dir, from a working directory that is neither the data dir nor HOME.
  Run Archivist(const std::string& name, const std::vector<std::string>& args) {
    fs::path log = work_ / "logs" / (name + ".strace");
    fs::path out = work_ / "logs" / (name + ".out"), err = work_ / "logs" / (name + ".err");
    std::string inner = "ip link set lo up 2>/dev/null; exec strace -f -y -qq -o " +
                        Quote(log.string()) + " -e trace=" + kTraced + " " + Quote(ARCHIVIST_CLI);
    for (const auto& a : args) inner += " " + Quote(a);
    std::string cmd =
        "cd " + Quote((work_ / "cwd").string()) +
        " && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=" + Quote((work_ / "home").string()) +
        // LeakSanitizer cannot run under ptrace; sanitizer builds check leaks in the other tests.
        " LANG=C.UTF-8 ASAN_OPTIONS=detect_leaks=0 unshare -n sh -c " + Quote(inner) + " >" + Quote(out.string()) + " 2>" +
        Quote(err.string()) + " </dev/null";
    Run r;
    r.code = Shell(cmd);
    r.out = ReadWholeFile(out);
    r.err = ReadWholeFile(err);
    r.log = ReadWholeFile(log);
    return r;
  }

  AirgapRules Rules() const {
    // Stricter than "nothing from ~/.cache": nothing under HOME is opened at all.
    return AirgapRules{{Data(), "/tmp"}, {work_ / "home"}, {work_ / "home"}};
  }

  // Asserts the trace is clean; `min_writes` > 0 proves the trace really recorded the command's
  // own writes (an empty or unparsed log would otherwise pass).
  void ExpectClean(const std::string& what, const Run& r, int min_writes) {
    ASSERT_FALSE(r.log.empty()) << what << ": strace wrote no log\n" << r.err;
    AirgapReport report = CheckStraceLog(r.log, Rules());
    std::string all;
    for (const auto& v : report.violations) all += "  " + v + "\n";
    EXPECT_TRUE(report.violations.empty())
        << what << " broke the air gap (" << report.violations.size() << " calls):\n"
        << all << "full trace: " << (work_ / "logs").string();
    EXPECT_GT(report.file_calls, 0) << what << ": the trace shows no file calls at all";
    EXPECT_GE(report.writes_allowed, min_writes) << what << ": too few writes traced";
  }

  std::string Data() const { return (work_ / "data").string(); }
  static std::string Sample(const std::string& rel) { return testing::SamplesDir() + "/" + rel; }

  fs::path work_;
};

TEST_F(AirgapTest, IngestSearchAndAskUseNoNetworkAndWriteOnlyTheDataDirectory) {
  // A text file, a Markdown file, a text-layer PDF and one scan: every extractor, OCR included
  // (Tesseract links libcurl for URL inputs, so it is the library most worth watching).
  Run ingest = Archivist(
      "ingest", {"--data-dir", Data(), "ingest", Sample("docs/meeting_notes.txt"),
                 Sample("docs/scanning_procedure.md"), Sample("docs/services_contract.pdf"),
                 Sample("docs/consent_form_scan.png")});
  ASSERT_EQ(ingest.code, 0) << ingest.out << ingest.err;
  EXPECT_NE(ingest.out.find("4 ingested"), std::string::npos) << ingest.out;
  ExpectClean("ingest", ingest, /*min_writes=*/1);

  Run search = Archivist("search", {"--data-dir", Data(), "search", "termination without notice"});
  ASSERT_EQ(search.code, 0) << search.out << search.err;
  EXPECT_NE(search.out.find("Master Services Agreement"), std::string::npos) << search.out;
  ExpectClean("search", search, /*min_writes=*/0);

  Run ask = Archivist(
      "ask", {"--data-dir", Data(), "ask", "When may the client terminate without notice?"});
  ASSERT_EQ(ask.code, 0) << ask.out << ask.err;
  EXPECT_NE(ask.out.find("Master Services Agreement"), std::string::npos) << ask.out;
  ExpectClean("ask", ask, /*min_writes=*/0);

  // The commands ran in a namespace with no route anywhere: had they needed the network, they
  // would have failed above. The poisoned cache file is still unread and HOME got nothing new.
  std::vector<std::string> home_entries;
  for (const auto& e : fs::recursive_directory_iterator(work_ / "home")) {
    home_entries.push_back(e.path().lexically_relative(work_ / "home").string());
  }
  std::sort(home_entries.begin(), home_entries.end());
  EXPECT_EQ(home_entries, (std::vector<std::string>{".cache", ".cache/poison"}));
}

}  // namespace
}  // namespace archivist
