#include "discover.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace archivist::pipeline {
namespace fs = std::filesystem;

namespace {

Status FsError(const std::string& path, const std::error_code& ec) {
  if (ec == std::errc::no_such_file_or_directory) return Status::NotFound("no such file: " + path);
  if (ec == std::errc::permission_denied) return Status::PermissionDenied("cannot read: " + path);
  return Status::InvalidArgument("cannot list '" + path + "': " + ec.message());
}

bool Excluded(const fs::path& root, const fs::path& p, const std::vector<std::string>& exclude) {
  std::string rel = p.lexically_relative(root).string();
  std::string name = p.filename().string();
  for (const std::string& glob : exclude) {
    if (::fnmatch(glob.c_str(), rel.c_str(), 0) == 0) return true;
    if (::fnmatch(glob.c_str(), name.c_str(), 0) == 0) return true;
  }
  return false;
}

void Walk(const fs::path& root, const fs::path& dir, const std::vector<std::string>& exclude,
          std::vector<DiscoveredPath>& out) {
  std::error_code ec;
  std::vector<fs::path> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    entries.push_back(it->path());
  }
  if (ec) {
    out.push_back({dir.string(), FsError(dir.string(), ec)});
    return;
  }
  std::sort(entries.begin(), entries.end());
  for (const fs::path& p : entries) {
    if (p.filename().string().starts_with(".")) continue;
    if (Excluded(root, p, exclude)) continue;
    std::error_code sec;
    fs::file_status st = fs::status(p, sec);
    if (sec) {
      out.push_back({p.string(), FsError(p.string(), sec)});
    } else if (fs::is_directory(st)) {
      Walk(root, p, exclude, out);
    } else if (fs::is_regular_file(st)) {
      out.push_back({p.string(), Status::Ok()});
    }
  }
}

}  // namespace

std::vector<DiscoveredPath> DiscoverFiles(const std::vector<std::string>& roots,
                                          const std::vector<std::string>& exclude) {
  std::vector<DiscoveredPath> out;
  for (const std::string& root : roots) {
    std::error_code ec;
    fs::file_status st = fs::status(root, ec);
    if (ec || !fs::exists(st)) {
      out.push_back({root, ec && ec != std::errc::no_such_file_or_directory
                               ? FsError(root, ec)
                               : Status::NotFound("no such file or directory: " + root)});
    } else if (fs::is_directory(st)) {
      Walk(root, root, exclude, out);
    } else {
      out.push_back({root, Status::Ok()});
    }
  }
  return out;
}

}  // namespace archivist::pipeline
