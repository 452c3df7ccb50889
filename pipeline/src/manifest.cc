#include "manifest.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

namespace archivist::pipeline {
namespace {

constexpr char kManifest[] = "manifest/";
constexpr char kRef[] = "manifest-ref/";
constexpr char kRetire[] = "retire/";

std::string RefPrefix(const std::string& doc_id) { return kRef + doc_id + "/"; }

}  // namespace

std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

Result<FileStamp> StampOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound("no such file: " + path);
    if (err == EACCES) return Status::PermissionDenied("cannot read: " + path);
    return Status::InvalidArgument("cannot stat '" + path + "': " + std::strerror(err));
  }
  FileStamp s;
  s.size = static_cast<uint64_t>(st.st_size);
  s.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return s;
}

Result<std::optional<ManifestEntry>> LookupManifest(index::Archive& archive,
                                                    const std::string& abs_path) {
  ARCHIVIST_ASSIGN_OR_RETURN(std::optional<std::string> raw, archive.GetJournal(kManifest + abs_path));
  if (!raw) return std::optional<ManifestEntry>();
  std::istringstream in(*raw);
  ManifestEntry e;
  if (!(in >> e.stamp.size >> e.stamp.mtime_ns >> e.doc_id) || e.doc_id.empty()) {
    // A damaged entry only costs a re-read: treat it as absent rather than failing the file.
    return std::optional<ManifestEntry>();
  }
  return std::optional<ManifestEntry>(std::move(e));
}

void AppendManifestEdits(const std::string& abs_path, const ManifestEntry& entry,
                         const std::optional<ManifestEntry>& previous, bool retire_previous,
                         std::vector<index::JournalEdit>* edits) {
  edits->push_back({kManifest + abs_path, std::to_string(entry.stamp.size) + " " +
                                              std::to_string(entry.stamp.mtime_ns) + " " +
                                              entry.doc_id});
  if (previous && previous->doc_id != entry.doc_id) {
    edits->push_back({RefPrefix(previous->doc_id) + abs_path, std::nullopt});
    if (retire_previous) edits->push_back({kRetire + previous->doc_id, abs_path});
  }
  if (!previous || previous->doc_id != entry.doc_id) {
    edits->push_back({RefPrefix(entry.doc_id) + abs_path, std::string()});
  }
}

Result<int> RetireMarked(index::Archive& archive) {
  ARCHIVIST_ASSIGN_OR_RETURN(auto marks, archive.ScanJournal(kRetire));
  int retired = 0;
  for (const auto& [key, replaced_by] : marks) {
    const std::string doc_id = key.substr(sizeof(kRetire) - 1);
    ARCHIVIST_ASSIGN_OR_RETURN(auto refs, archive.ScanJournal(RefPrefix(doc_id)));
    if (refs.empty()) {
      Status s = archive.DeleteDocument(doc_id);
      // NotFound: a killed run deleted it but did not clear the mark.
      if (s.ok()) ++retired;
      else if (s.code() != StatusCode::kNotFound)
        return s.WithContext("retiring the version " + replaced_by + " replaced");
    }
    ARCHIVIST_RETURN_IF_ERROR(archive.DeleteJournal(key));
  }
  return retired;
}

}  // namespace archivist::pipeline
