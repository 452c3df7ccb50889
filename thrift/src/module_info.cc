// Keeps the module a valid library while its parts are filled in; names the module in diagnostics.
namespace archivist::thrift {
const char* ModuleName() { return "archivist_thrift"; }
}  // namespace archivist::thrift
