// A batch killed with SIGKILL at random moments and started again ends with exactly the archive an
// uninterrupted run builds: no document lost, none twice, every chunk and vector present; and the
// run that completes it skips what the killed runs committed without reading it (the manifest).

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <tuple>
#include <cmath>
#include <thread>

#include "samples_truth.h"

extern char** environ;

namespace archivist {
namespace {
namespace fs = std::filesystem;

// Runs the CLI; kills it with SIGKILL after `kill_after_ms` unless it finished (-1: never kill).
// Returns the exit status, or -SIGKILL when it was killed.
int RunArchivist(const std::vector<std::string>& args, int kill_after_ms, const fs::path& out) {
  std::vector<std::string> argv_s = {ARCHIVIST_CLI};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, ARCHIVIST_CLI, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1000;
  auto start = std::chrono::steady_clock::now();
  int status = 0;
  while (true) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start).count();
    if (kill_after_ms >= 0 && elapsed >= kill_after_ms) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Slurp(const fs::path& p) { return testing::ReadText(p.string()); }

// What an archive holds, independent of the order documents were committed in.
std::map<std::string, std::pair<int, int>> Contents(const std::string& data, const fs::path& tmp) {
  EXPECT_EQ(RunArchivist({"--data-dir", data, "--json", "list"}, -1, tmp), 0);
  std::map<std::string, std::pair<int, int>> docs;
  auto listed = nlohmann::json::parse(Slurp(tmp));
  EXPECT_TRUE(listed.contains("documents")) << Slurp(tmp).substr(0, 300);
  for (const auto& d : listed["documents"]) {
    docs[d["doc_id"]] = {d["pages"].get<int>(), d["chunks"].get<int>()};
  }
  return docs;
}

struct Counts {
  int ingested = -1, unchanged = -1, duplicates = -1, failed = -1;
};

// The summary line: "N ingested, U unchanged, D duplicates, F failed; ...".
Counts Summary(const std::string& report) {
  Counts c;
  size_t summary = report.rfind(" ingested, ");
  EXPECT_NE(summary, std::string::npos) << report;
  if (summary == std::string::npos) return c;
  size_t line = report.rfind('\n', summary);
  EXPECT_EQ(std::sscanf(report.c_str() + (line == std::string::npos ? 0 : line + 1),
                        "%d ingested, %d unchanged, %d duplicates, %d failed", &c.ingested,
                        &c.unchanged, &c.duplicates, &c.failed),
            4)
      << report;
  return c;
}

// Enough documents that a batch takes a second or more, so kills land mid-batch.
constexpr int kNotes = 800;

TEST(KillResumeTest, SigkilledBatchesResumeToTheUninterruptedArchive) {
  fs::path dir = fs::path(::testing::TempDir()) / ("archivist_kill_test_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "batch");
  // A batch of distinct documents: the text-layer samples plus generated notes, so the kill
  // windows fall on reads, extraction, chunking and commits alike.
  for (const char* f : {"discharge_summary.pdf", "lab_report.pdf", "retention_policy.pdf",
                        "services_contract.pdf", "wire_transfer_emails.pdf", "meeting_notes.txt"}) {
    fs::copy_file(testing::SamplesDir() + "/docs/" + f, dir / "batch" / f);
  }
  for (int i = 0; i < kNotes; ++i) {
    std::ofstream note(dir / "batch" / ("note_" + std::to_string(i) + ".txt"));
    note << "Ward round note " << i << ".\n\nPatient " << i * 7919 % 1000
         << " reviewed; warfarin dose adjusted to " << (i % 9) + 1 << " mg after INR "
         << 1.5 + (i % 20) / 10.0 << ".\nPlan: repeat INR in " << (i % 5) + 2 << " days.\n";
  }
  const std::string reference = (dir / "reference").string();
  const std::string resumed = (dir / "resumed").string();
  const fs::path out = dir / "out.txt";

  ASSERT_EQ(RunArchivist({"--data-dir", reference, "ingest", (dir / "batch").string()}, -1, out), 0)
      << Slurp(out);
  ASSERT_NE(Slurp(out).find(std::to_string(kNotes + 6) + " ingested"), std::string::npos) << Slurp(out);

  std::mt19937 rng(20261127);
  std::uniform_int_distribution<int> delay(40, 500);
  int kills = 0, attempts = 0;
  while (attempts++ < 40) {
    // Later attempts get longer, so a slow (sanitizer) build still finishes.
    int rc = RunArchivist({"--data-dir", resumed, "ingest", (dir / "batch").string()},
                          delay(rng) + 50 * (attempts - 1), out);
    if (rc == -SIGKILL) {
      ++kills;
      continue;
    }
    ASSERT_EQ(rc, 0) << "a resumed batch must finish cleanly: " << Slurp(out);
    // The killed runs committed part of the batch: the last run skipped it through the manifest,
    // without reading those files, and read only the rest.
    Counts c = Summary(Slurp(out));
    // (ingested may be 0: a kill after the last commit, while the vector index was being saved,
    // is a case of its own -- the index is caught up from RocksDB on the next open.)
    EXPECT_GT(c.unchanged, 0) << "no kill landed after a commit";
    EXPECT_EQ(c.duplicates, 0) << "a committed file was read again instead of skipped";
    EXPECT_EQ(c.ingested + c.unchanged, kNotes + 6);
    std::printf("kill/resume: the completing run read %d files and skipped %d unchanged\n",
                c.ingested, c.unchanged);
    break;
  }
  ASSERT_LT(attempts, 40) << "the batch never finished";
  EXPECT_GE(kills, 1) << "no run was killed: the test exercised nothing";
  std::printf("kill/resume: %d runs killed before the batch completed\n", kills);

  // Once complete, a rerun reads nothing.
  ASSERT_EQ(RunArchivist({"--data-dir", resumed, "ingest", (dir / "batch").string()}, -1, out), 0);
  Counts again = Summary(Slurp(out));
  EXPECT_EQ(again.ingested, 0);
  EXPECT_EQ(again.unchanged, kNotes + 6);

  auto want = Contents(reference, out);
  auto got = Contents(resumed, out);
  EXPECT_EQ(want.size(), static_cast<size_t>(kNotes + 6));
  EXPECT_EQ(got, want) << "same documents, each with the same pages and chunks";

  // Same chunks and vectors in total, and searches agree.
  ASSERT_EQ(RunArchivist({"--data-dir", reference, "--json", "stats"}, -1, out), 0);
  auto s1 = nlohmann::json::parse(Slurp(out));
  ASSERT_EQ(RunArchivist({"--data-dir", resumed, "--json", "stats"}, -1, out), 0);
  auto s2 = nlohmann::json::parse(Slurp(out));
  for (const char* key : {"documents", "pages", "chunks", "vectors", "terms"}) {
    EXPECT_EQ(s1[key], s2[key]) << key;
  }
  // Searches agree. Many notes tie on score and ties are broken by chunk id, i.e. by commit
  // order, which differs between runs even without kills; so every hit is fetched and the lists
  // are compared as sets of (document, page, score).
  auto hits = [&](const std::string& data, const char* q) {
    EXPECT_EQ(RunArchivist({"--data-dir", data, "--json", "search", q, "--mode", "bm25", "-k", "2000"},
                           -1, out), 0);
    std::set<std::tuple<std::string, int, long long>> set;
    const nlohmann::json parsed = nlohmann::json::parse(Slurp(out));
    for (const auto& h : parsed["hits"]) {
      set.emplace(h["doc_id"], h["page"].get<int>(), std::llround(h["score"].get<double>() * 1e6));
    }
    return set;
  };
  for (const char* q : {"warfarin dose adjusted", "termination without notice", "note 77"}) {
    auto h1 = hits(reference, q);
    EXPECT_FALSE(h1.empty()) << q;
    EXPECT_EQ(h1, hits(resumed, q)) << q;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace archivist
