// The call added in API 1.2: backup, so an operator can take a consistent copy while the server
// holds the store (RocksDB allows one writer process; a second `archivist backup` cannot open it).

#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>

#include "handler.h"
#include "request_checks.h"

namespace archivist::service {

namespace fs = std::filesystem;

void ArchivistHandler::backup(thrift_gen::BackupReply& reply,
                              const thrift_gen::BackupRequest& request) {
  Handle("backup", request.__isset.auth_token, request.auth_token,
         "target_dir=" + request.target_dir.substr(0, 256), false,
         [&](const Caller& caller, CallRecord&) {
           ARCHIVIST_RETURN_IF_ERROR(caller.RequireRole(Role::kAdmin, "backup"));
           const std::string& target = request.target_dir;
           if (target.empty() || !IsValidUtf8(target) || target.find('\0') != std::string::npos) {
             return Status::InvalidArgument("target_dir must be a non-empty UTF-8 path");
           }
           const fs::path path(target);
           if (!path.is_absolute()) {
             return Status::InvalidArgument("target_dir must be an absolute path on the server");
           }
           std::error_code ec;
           if (fs::exists(path, ec)) {
             return Status::InvalidArgument("backup target " + target + " already exists");
           }
           if (!fs::is_directory(path.parent_path(), ec)) {
             return Status::NotFound("the parent directory of " + target + " does not exist");
           }
           {
             // Ingest and delete hold this too: the checkpoint and the vector-index file are
             // taken with no document half-committed between them.
             std::lock_guard<std::mutex> lock(ingest_mutex_);
             ARCHIVIST_RETURN_IF_ERROR(archive_.Backup(target));
           }
           reply.__set_target_dir(target);
           return Status::Ok();
         });
}

}  // namespace archivist::service
