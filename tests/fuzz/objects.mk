# Fuzz targets: FUZZ_TARGETS += name; fuzz-srcs-name := sources; seed corpus in tests/fuzz/corpus/name/.
