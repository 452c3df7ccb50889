// Keeps the module a valid library while its parts are filled in; names the module in diagnostics.
namespace archivist::pipeline {
const char* ModuleName() { return "archivist_pipeline"; }
}  // namespace archivist::pipeline
