# Every third-party dependency comes from Debian 12 packages (scripts/install-deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

# RocksDB's config prepends its own FindTBB.cmake to the module path; ask for oneTBB in CONFIG mode
# before and after so we always get the real TBB::tbb target.
find_package(TBB CONFIG REQUIRED)
find_package(RocksDB CONFIG REQUIRED)

# Debian's FAISS 1.7.3 is static and its config expects these to be found first.
find_package(OpenMP REQUIRED)
find_package(BLAS REQUIRED)
find_package(LAPACK REQUIRED)
find_package(faiss CONFIG REQUIRED)

find_package(OpenSSL REQUIRED)
find_package(Boost REQUIRED)
find_package(ICU REQUIRED COMPONENTS uc i18n data)
find_package(nlohmann_json REQUIRED)
find_package(tomlplusplus REQUIRED)

pkg_check_modules(POPPLER_CPP REQUIRED IMPORTED_TARGET poppler-cpp)
pkg_check_modules(TESSERACT REQUIRED IMPORTED_TARGET tesseract)
pkg_check_modules(LEPTONICA REQUIRED IMPORTED_TARGET lept)
pkg_check_modules(THRIFT REQUIRED IMPORTED_TARGET thrift)

find_library(STEMMER_LIBRARY NAMES stemmer REQUIRED)
find_path(STEMMER_INCLUDE_DIR libstemmer.h REQUIRED)
add_library(archivist_stemmer INTERFACE)
target_link_libraries(archivist_stemmer INTERFACE ${STEMMER_LIBRARY})
target_include_directories(archivist_stemmer SYSTEM INTERFACE ${STEMMER_INCLUDE_DIR})

find_library(MAGIC_LIBRARY NAMES magic REQUIRED)
find_path(MAGIC_INCLUDE_DIR magic.h REQUIRED)
add_library(archivist_magic INTERFACE)
target_link_libraries(archivist_magic INTERFACE ${MAGIC_LIBRARY})
target_include_directories(archivist_magic SYSTEM INTERFACE ${MAGIC_INCLUDE_DIR})

find_program(THRIFT_COMPILER thrift REQUIRED)
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)

if(ARCHIVIST_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(ARCHIVIST_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()
