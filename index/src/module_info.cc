// Keeps the module a valid library while its parts are filled in; names the module in diagnostics.
namespace archivist::index {
const char* ModuleName() { return "archivist_index"; }
}  // namespace archivist::index
