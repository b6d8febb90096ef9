# Host unit tests: UNIT_TESTS += name; unit-srcs-name := the sources tests/unit/test_name.c needs.
