# Host unit tests: UNIT_TESTS += name; unit-srcs-name := the sources tests/unit/test_name.c needs.

UNIT_TESTS += toml
unit-srcs-toml := src/lib/toml.c src/lib/format.c
