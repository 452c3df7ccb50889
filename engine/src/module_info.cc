// Keeps the module a valid library while its parts are filled in; names the module in diagnostics.
namespace archivist::engine {
const char* ModuleName() { return "archivist_engine"; }
}  // namespace archivist::engine
