# The engine's benchmark tool; included from engine/CMakeLists.txt so the engine owns its bench.
add_executable(archivist_engine_bench ${PROJECT_SOURCE_DIR}/bench/engine_bench.cc)
target_compile_options(archivist_engine_bench PRIVATE ${ARCHIVIST_WARNINGS})
target_link_libraries(archivist_engine_bench PRIVATE archivist_engine)

# Kernel micro-benchmarks (Google Benchmark); reaches the engine's private kernel table.
add_executable(archivist_engine_kernels_bench ${PROJECT_SOURCE_DIR}/bench/engine_kernels_bench.cc)
target_compile_options(archivist_engine_kernels_bench PRIVATE ${ARCHIVIST_WARNINGS})
target_include_directories(archivist_engine_kernels_bench PRIVATE ${PROJECT_SOURCE_DIR}/engine/src)
target_link_libraries(archivist_engine_kernels_bench PRIVATE archivist_engine benchmark::benchmark)
