# Thin wrappers over the CMake presets. `make help` lists the targets.
# On a fresh Debian 12 machine, as root, `make test` and `make run` do everything,
# including installing the Debian packages the project needs.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Every Debian package the project uses: toolchain, libraries, docs, and the real memcached
# and its clients for interoperability tests and side-by-side benchmarks, and the tools the
# packaging tests use (dpkg-dev for CPack's dependency list, systemd-analyze, groff), and the
# operators' tools the chapter 4 tests run against (Prometheus with promtool, twemproxy), and
# the tools the chapters' exercises use (strace, perf).
PACKAGES := cmake ninja-build g++ make pkg-config \
	libasio-dev libgtest-dev libgmock-dev libbenchmark-dev libfmt-dev libcli11-dev \
	libxxhash-dev libssl-dev doxygen graphviz clang-format-14 clang-14 libclang-rt-14-dev ccache \
	gnuplot-nox memcached libmemcached-tools libmemcached-dev python3-pymemcache iproute2 \
	dpkg-dev systemd groff-base prometheus nutcracker strace linux-perf liburing-dev

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# ccache (found by cmake/Dependencies.cmake) reuses compiled files across rebuilds and clones:
# paths under the repository are hashed relative to it.
export CCACHE_BASEDIR := $(CURDIR)
CLANG_FORMAT := clang-format-14
FORMAT_FILES = $(shell git ls-files '*.cpp' '*.hpp')
RUN_ARGS ?= -p 11211

.PHONY: help deps build test asan tsan docs snippets snippets-check chapter-commands format \
	format-check run install package clean

help: ## Show this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

deps: ## Install missing Debian packages (skips apt when all are present)
	@missing=$$(for p in $(PACKAGES); do \
	    dpkg-query -W -f='$${db:Status-Status}\n' $$p 2>/dev/null | grep -qx installed || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing:" $$missing; \
	  $(SUDO) apt-get update && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

build: deps ## Release build; binaries in build/release/bin
	cmake --preset release
	cmake --build --preset release

test: deps ## Debug build, then every test
	cmake --preset debug
	cmake --build --preset debug
	ctest --preset debug

asan: deps ## Build and test under AddressSanitizer + UndefinedBehaviorSanitizer
	cmake --preset asan
	cmake --build --preset asan
	ctest --preset asan

tsan: deps ## Build and test under ThreadSanitizer
	cmake --preset tsan
	cmake --build --preset tsan
	ctest --preset tsan

docs: deps ## Doxygen site in build/docs/html (warnings are errors)
	cmake --preset debug
	cmake --build --preset debug --target docs
	@echo "open build/docs/html/index.html"

snippets: ## Rewrite the chapters' code blocks and diagrams from their sources
	/usr/bin/python3 docs/tools/snippets.py --write

snippets-check: ## Fail if a chapter's code block or diagram differs from its source
	/usr/bin/python3 docs/tools/snippets.py --check

chapter-commands: build ## Run the chapters' runnable console blocks and check their output
	/usr/bin/python3 docs/tools/run_commands.py

format: ## Format every C++ file with clang-format-14
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check: ## Fail if any C++ file is not formatted
	$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES)

run: build ## Start cppmemcached on 127.0.0.1:11211 in the foreground (RUN_ARGS to change)
	build/release/bin/cppmemcached $(RUN_ARGS)

FUZZ_SECONDS ?= 60
FUZZERS := fuzz_request_parser fuzz_response_parser fuzz_line_codec

.PHONY: fuzz
fuzz: deps ## Build the libFuzzer targets (clang-14) and run each for FUZZ_SECONDS (default 60)
	cmake --preset fuzz
	cmake --build --preset fuzz --target $(FUZZERS)
	@for f in $(FUZZERS); do \
	  corpus=build/fuzz/corpus/$$f; \
	  mkdir -p $$corpus && cp 03-codec/fuzz/corpus/$$f/* $$corpus/ && \
	  echo "=== $$f for $(FUZZ_SECONDS) s (corpus in $$corpus)" && \
	  build/fuzz/bin/$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/ $$corpus || exit 1; \
	done

BENCH_MIN_TIME ?= 0.5
# The Google Benchmark binaries (bench_session, chapter 5's load generator, takes other flags).
BENCHMARKS := bench_codec bench_store bench_ketama

.PHONY: bench compare hardening profile
bench: deps ## Release build, then the Google Benchmark binaries; JSON results in build/bench/
	cmake --preset release
	cmake --build --preset release
	@mkdir -p build/bench
	@for name in $(BENCHMARKS); do \
	  echo "=== $$name (build/bench/$$name.json)"; \
	  build/release/bin/$$name --benchmark_min_time=$(BENCH_MIN_TIME) \
	    --benchmark_out=build/bench/$$name.json --benchmark_out_format=json || exit 1; \
	done

compare: deps ## Release build, then memcached vs cppmemcached side by side (build/bench/compare.md)
	cmake --preset release
	cmake --build --preset release
	/usr/bin/python3 06-benchmarks/compare.py

profile: deps ## Release build, then perf counts and samples both servers on one workload (build/bench/profile.md)
	cmake --preset release
	cmake --build --preset release
	/usr/bin/python3 06-benchmarks/profile.py

hardening: deps ## Release build, then misbehaving clients against both servers (build/bench/hardening.md)
	cmake --preset release
	cmake --build --preset release
	/usr/bin/python3 06-benchmarks/hardening.py

PREFIX ?= /usr/local

install: build ## Release build, then install it under PREFIX (default /usr/local)
	cmake --install build/release --prefix $(PREFIX)

package: build ## Release build, then the Debian packages in build/package (CPack)
	cpack --config build/release/CPackConfig.cmake -B build/package
	@ls build/package/*.deb

clean: ## Remove every build folder
	rm -rf build

# The soak (issue 13): cppmc_soak starts the server on a free port, loads it with verified
# commands and faults, checks it and stops it by PID. SOAK_SERVER=memcached soaks the real one.
# SOAK_STALL_KIB is how much each client that never reads may pipeline.
SOAK_SECONDS ?= 600
SOAK_SERVER ?= cppmemcached
SOAK_STALL_KIB ?= 65536
SOAK_ARGS ?=
SOAK_TARGET = $(if $(filter memcached,$(SOAK_SERVER)),--server memcached --sigterm-within 3000,--server build/release/bin/cppmemcached)

.PHONY: soak
soak: deps ## Release build, then a verifying soak with faults for SOAK_SECONDS (default 600)
	cmake --preset release
	cmake --build --preset release
	@mkdir -p build/soak
	build/release/bin/cppmc_soak $(SOAK_TARGET) --duration $(SOAK_SECONDS) \
	  --stall-kib $(SOAK_STALL_KIB) --json build/soak/$(SOAK_SERVER).json $(SOAK_ARGS)
