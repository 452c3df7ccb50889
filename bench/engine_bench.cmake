# The engine's benchmark tool; included from engine/CMakeLists.txt so the engine owns its bench.
add_executable(archivist_engine_bench ${PROJECT_SOURCE_DIR}/bench/engine_bench.cc)
target_compile_options(archivist_engine_bench PRIVATE ${ARCHIVIST_WARNINGS})
target_link_libraries(archivist_engine_bench PRIVATE archivist_engine)
