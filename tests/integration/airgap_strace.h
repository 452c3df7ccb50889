#pragma once
// Reads an `strace -f -y` log and lists what an air-gapped process must never do: create a socket
// other than AF_UNIX, talk to an address other than loopback, open a file for writing outside the
// places it may write, or read anything from the user's cache directory.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace archivist::testing {

// Where a traced command may write, and what it must not read.
struct AirgapRules {
  std::vector<std::filesystem::path> writable;      // e.g. the data directory and /tmp
  std::vector<std::filesystem::path> forbidden;     // never opened at all, e.g. $HOME/.cache
  std::vector<std::filesystem::path> not_writable;  // carved out of `writable`, e.g. $HOME
};

struct AirgapReport {
  std::vector<std::string> violations;  // one line each: what rule, then the strace line
  int sockets = 0;                      // socket()/socketpair() calls seen (all families)
  int writes_allowed = 0;               // write-intent file calls that stayed where they may
  int file_calls = 0;  // file calls parsed (a log with none means strace saw nothing)
};

namespace airgap_detail {

inline bool Under(const std::filesystem::path& p, const std::filesystem::path& dir) {
  std::string s = p.lexically_normal().string(), d = dir.lexically_normal().string();
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return s == d || (s.size() > d.size() && s.compare(0, d.size(), d) == 0 && s[d.size()] == '/');
}

// Decodes one C string literal as strace prints it, starting at the opening quote.
inline std::string Unquote(const std::string& token) {
  std::string out;
  for (size_t i = 1; i < token.size() && token[i] != '"'; ++i) {
    char c = token[i];
    if (c != '\\' || i + 1 >= token.size()) {
      out += c;
      continue;
    }
    char e = token[++i];
    if (e == 'n')
      out += '\n';
    else if (e == 't')
      out += '\t';
    else if (e == 'x' && i + 2 < token.size()) {
      out += static_cast<char>(std::stoi(token.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (e >= '0' && e <= '7') {
      size_t n = 1;
      while (n < 3 && i + n < token.size() && token[i + n] >= '0' && token[i + n] <= '7') ++n;
      out += static_cast<char>(std::stoi(token.substr(i, n), nullptr, 8));
      i += n - 1;
    } else {
      out += e;  // \" and \\ and anything else stand for themselves
    }
  }
  return out;
}

// Splits "a, {b, c}, "d, e"" into top-level arguments; stops at the call's closing parenthesis.
inline std::vector<std::string> SplitArgs(const std::string& s) {
  std::vector<std::string> args;
  std::string cur;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      cur += c;
      if (c == '\\' && i + 1 < s.size())
        cur += s[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '(' || c == '{' || c == '[' || c == '<') ++depth;
    if (c == ')' || c == '}' || c == ']' || c == '>') {
      if (depth == 0) break;  // end of the call's argument list
      --depth;
    }
    if (c == ',' && depth == 0) {
      args.push_back(cur);
      cur.clear();
      if (i + 1 < s.size() && s[i + 1] == ' ') ++i;
      continue;
    }
    cur += c;
  }
  if (!cur.empty()) args.push_back(cur);
  return args;
}

// The directory a dirfd argument names: "AT_FDCWD</cwd>" or "5</some/dir>"; empty if undecorated.
inline std::string FdPath(const std::string& token) {
  size_t lt = token.find('<');
  if (lt == std::string::npos || token.back() != '>') return "";
  return token.substr(lt + 1, token.size() - lt - 2);
}

// A thread naming itself (pthread_setname_np writes /proc/self/task/<tid>/comm): process
// metadata in procfs, not a file anywhere on disk.
inline bool IsThreadName(const std::filesystem::path& p) {
  std::vector<std::string> parts;
  for (const auto& e : p) parts.push_back(e.string());
  // "/", "proc", self|thread-self|<pid>, ["task", <tid>,] "comm"
  if (parts.size() < 4 || parts[0] != "/" || parts[1] != "proc" || parts.back() != "comm") {
    return false;
  }
  return parts.size() == 4 || (parts.size() == 6 && parts[3] == "task");
}

inline std::filesystem::path Resolve(const std::string& dirfd, const std::string& quoted) {
  std::filesystem::path p = Unquote(quoted);
  if (p.is_absolute()) return p.lexically_normal();
  std::string dir = FdPath(dirfd);
  if (dir.empty()) return {};  // unknown base: the caller treats it as outside everything
  return (std::filesystem::path(dir) / p).lexically_normal();
}

}  // namespace airgap_detail

// Checks one strace log against the rules.
inline AirgapReport CheckStraceLog(const std::string& log_text, const AirgapRules& rules) {
  using namespace airgap_detail;
  AirgapReport r;
  std::istringstream in(log_text);
  std::string line;
  while (std::getline(in, line)) {
    // "PID name(args) = ret", "PID name(args <unfinished ...>"; resumed halves, signals and exits
    // carry no arguments we need: an unfinished call already printed all of its inputs.
    size_t start = line.find_first_not_of("0123456789 ");
    if (start == std::string::npos || line.compare(start, 1, "<") == 0 ||
        line.compare(start, 3, "---") == 0 || line.compare(start, 3, "+++") == 0) {
      continue;
    }
    size_t paren = line.find('(', start);
    if (paren == std::string::npos) continue;
    std::string name = line.substr(start, paren - start);
    std::vector<std::string> args = SplitArgs(line.substr(paren + 1));
    auto violation = [&](const std::string& why) { r.violations.push_back(why + ": " + line); };

    if (name == "socket" || name == "socketpair") {
      ++r.sockets;
      if (args.empty() || (args[0] != "AF_UNIX" && args[0] != "AF_LOCAL")) {
        violation("socket of a family other than AF_UNIX");
      }
      continue;
    }
    if (name == "connect" || name == "bind" || name == "sendto" || name == "sendmsg" ||
        name == "sendmmsg" || name == "accept" || name == "accept4" || name == "listen") {
      bool inet4 = line.find("sa_family=AF_INET,") != std::string::npos ||
                   line.find("sa_family=AF_INET}") != std::string::npos;
      bool inet6 = line.find("sa_family=AF_INET6") != std::string::npos;
      bool other = line.find("sa_family=") != std::string::npos && !inet4 && !inet6 &&
                   line.find("sa_family=AF_UNIX") == std::string::npos &&
                   line.find("sa_family=AF_LOCAL") == std::string::npos;
      if ((inet4 && line.find("inet_addr(\"127.") == std::string::npos) ||
          (inet6 && line.find("\"::1\"") == std::string::npos) || other) {
        violation(name + " to an address other than loopback");
      }
      continue;
    }

    // File calls: which arguments are (dirfd, path) pairs, and whether the call means to write.
    std::vector<std::pair<std::string, std::string>> paths;
    bool writes = true;
    auto arg = [&](size_t i) { return i < args.size() ? args[i] : std::string(); };
    if (name == "openat" || name == "openat2") {
      paths = {{arg(0), arg(1)}};
      std::string flags = arg(2);
      writes = flags.find("O_WRONLY") != std::string::npos ||
               flags.find("O_RDWR") != std::string::npos ||
               flags.find("O_CREAT") != std::string::npos ||
               flags.find("O_TRUNC") != std::string::npos;
    } else if (name == "open") {
      paths = {{"", arg(0)}};
      std::string flags = arg(1);
      writes = flags.find("O_WRONLY") != std::string::npos ||
               flags.find("O_RDWR") != std::string::npos ||
               flags.find("O_CREAT") != std::string::npos ||
               flags.find("O_TRUNC") != std::string::npos;
    } else if (name == "creat" || name == "mkdir" || name == "unlink" || name == "rmdir") {
      paths = {{"", arg(0)}};
    } else if (name == "mkdirat" || name == "unlinkat") {
      paths = {{arg(0), arg(1)}};
    } else if (name == "rename") {
      paths = {{"", arg(0)}, {"", arg(1)}};
    } else if (name == "renameat" || name == "renameat2") {
      paths = {{arg(0), arg(1)}, {arg(2), arg(3)}};
    } else {
      continue;
    }
    ++r.file_calls;
    for (const auto& [dirfd, quoted] : paths) {
      if (quoted.empty() || quoted[0] != '"') continue;  // e.g. a NULL path
      std::filesystem::path p = Resolve(dirfd, quoted);
      for (const auto& f : rules.forbidden) {
        if (!p.empty() && Under(p, f)) violation("opened a forbidden path " + p.string());
      }
      if (!writes) continue;
      bool allowed = p == "/dev/null" || IsThreadName(p);
      for (const auto& w : rules.writable) allowed = allowed || (!p.empty() && Under(p, w));
      for (const auto& n : rules.not_writable) allowed = allowed && !Under(p, n);
      if (allowed) {
        ++r.writes_allowed;
      } else {
        violation("write outside the allowed directories (" +
                  (p.empty() ? std::string("unresolved path") : p.string()) + ")");
      }
    }
  }
  return r;
}

inline std::string ReadWholeFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace archivist::testing
