// Keeps the module a valid library while its parts are filled in; names the module in diagnostics.
namespace archivist::ingest {
const char* ModuleName() { return "archivist_ingest"; }
}  // namespace archivist::ingest
