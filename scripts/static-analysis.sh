#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Static analysis: clang-tidy (the checks of .clang-tidy: bugprone-*, cert-* and the clang static
# analyzer) and cppcheck over each arch's hypervisor sources (`make print-sources`), with that arch's
# flags (`make print-cflags`). Prints every finding and exits 1 if there is any; when clean, one line
# per arch and tool. Run by `make test`, and alone as `make static-analysis`.
#   ARCHES="aarch64 x86_64" JOBS=4 ONLY='^src/fs/' scripts/static-analysis.sh   (ONLY: a regex on paths)
# A finding is fixed, or suppressed where it is with the reason (CONTRIBUTING.md):
#   /* NOLINT(check-name): why */   /* NOLINTNEXTLINE(check-name): why */   (clang-tidy)
#   /* cppcheck-suppress id ; why */ on the line before                    (cppcheck)
set -euo pipefail
cd "$(dirname "$0")/.."

read -ra arches <<<"${ARCHES:-aarch64 riscv64 x86_64}"
jobs=${JOBS:-$(nproc)}
out=build/analysis
CLANG_TIDY=clang-tidy-14
CPPCHECK=cppcheck

rm -rf "$out"
mkdir -p "$out"
# Run from make (make static-analysis, make test), the make below is not its child: it takes none
# of the caller's flags or variables, and builds each arch's lists from the defaults.
unset MAKEFLAGS MFLAGS MAKELEVEL

# Each arch's sources and compile flags. The flags come one argument a line: print-cflags echoes
# -DARCH_NAME="aarch64" with its quotes, which is what the compiler must see. -Werror would turn
# the compiler's own warnings into analysis errors, and -flto asks for bitcode nobody reads here.
for a in "${arches[@]}"; do
	mkdir -p "$out/$a/tidy"
	make -s --no-print-directory ARCH="$a" print-sources | tr ' ' '\n' | sed '/^$/d' |
		{ grep -E -- "${ONLY:-.}" || true; } >"$out/$a/sources"
	make -s --no-print-directory ARCH="$a" print-cflags | tr ' ' '\n' | sed '/^$/d' |
		grep -vxE -- '-Werror|-flto' >"$out/$a/cflags"
done

# clang-tidy: one job per arch and file, all arches' jobs in one pool of $jobs, the largest files
# (which the analyzer takes longest over) first so that no core waits on one at the end.
tidy_one() {
	local a=$1 f=$2 flags
	mapfile -t flags <"$out/$a/cflags"
	local log="$out/$a/tidy/${f//\//_}.log" rc=0
	"$CLANG_TIDY" --quiet "$f" -- "${flags[@]}" >"$log.out" 2>&1 || rc=$?
	# Findings alone leave it at 0: anything else (a compile error, a crash) is a finding too, with
	# all that clang-tidy said.
	if [ "$rc" -eq 0 ]; then
		mv "$log.out" "$log"
	else
		{ echo "$f:1:1: error: clang-tidy exited with status $rc [static-analysis]"; cat "$log.out"; } >"$log"
		rm "$log.out"
	fi
}
export -f tidy_one
export out CLANG_TIDY
for a in "${arches[@]}"; do
	while read -r f; do echo "$(wc -c <"$f") $a $f"; done <"$out/$a/sources"
done | sort -rn | cut -d' ' -f2- | xargs -P "$jobs" -n 2 bash -c 'tidy_one "$@"' _ &
tidy_pid=$!

# cppcheck meanwhile, one arch after another (seconds each). -U__ASSEMBLY__: the C side of the
# headers that assembly shares. -D: the configuration the build compiles, and only that one.
for a in "${arches[@]}"; do
	mapfile -t defines < <(grep -E '^-D' "$out/$a/cflags")
	mapfile -t sources <"$out/$a/sources"
	[ ${#sources[@]} -gt 0 ] || { : >"$out/$a/cppcheck.log"; continue; }
	rc=0
	"$CPPCHECK" -q --std=c11 --enable=warning,portability --inline-suppr --error-exitcode=1 \
		-I include -I "src/arch/$a/include" -I "src/virt/$a/include" -U__ASSEMBLY__ "${defines[@]}" \
		--template='{file}:{line}:{column}: {severity}: {message} [{id}]\n{code}' \
		--template-location='{file}:{line}:{column}: note: {info}\n{code}' \
		"${sources[@]}" >"$out/$a/cppcheck.out" 2>&1 || rc=$?
	# --error-exitcode=1 says there are findings; they are in its output, unless it failed otherwise.
	if [ "$rc" -ne 0 ] && ! grep -qE '^[^ ].*:[0-9]+:[0-9]+: [a-z]+: ' "$out/$a/cppcheck.out"; then
		{ echo "cppcheck:1:1: error: cppcheck exited with status $rc [static-analysis]"; cat "$out/$a/cppcheck.out"; } \
			>"$out/$a/cppcheck.log"
	else
		mv "$out/$a/cppcheck.out" "$out/$a/cppcheck.log"
	fi
done
wait "$tidy_pid"

# A finding is a block of output that starts at a "file:line:col: warning|error:" line and runs to
# the next; blocks are counted once per arch (a header's finding shows in every file that includes
# it) and printed once in all (arch-neutral code shows in every arch).
findings=0
declare -A printed
report() { # tool arch file...
	local tool=$1 a=$2 n=0 block key
	shift 2
	local blocks="$out/$a/$tool.blocks"
	awk '/^[^ ].*:[0-9]+:[0-9]+: (warning|error|style|portability|performance|information): / { if (b != "") printf "%s%c", b, 0; b = "" }
	     b != "" || /^[^ ].*:[0-9]+:[0-9]+: (warning|error|style|portability|performance|information): / { b = b $0 "\n" }
	     END { if (b != "") printf "%s%c", b, 0 }' "$@" | sed -e "s|$PWD/||g" -e '/^[0-9]* warnings\? generated\.$/d' >"$blocks"
	declare -A seen=()
	while IFS= read -r -d '' block; do
		key=${block%%$'\n'*}
		[ -n "${seen[$key]:-}" ] && continue
		seen[$key]=1
		n=$((n + 1))
		if [ -z "${printed[$key]:-}" ]; then
			printed[$key]=1
			printf '%s' "$block"
		fi
	done <"$blocks"
	findings=$((findings + n))
	if [ "$n" -eq 0 ]; then
		echo "static-analysis: $tool $a: clean ($(wc -l <"$out/$a/sources") files)"
	else
		echo "static-analysis: $tool $a: $n finding(s)" >&2
	fi
}
shopt -s nullglob
for a in "${arches[@]}"; do
	report clang-tidy "$a" /dev/null "$out/$a"/tidy/*.log
	report cppcheck "$a" "$out/$a/cppcheck.log"
done
if [ "$findings" -ne 0 ]; then
	echo "static-analysis: fix each finding, or suppress it in place with the reason (CONTRIBUTING.md)" >&2
	exit 1
fi
