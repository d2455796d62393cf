# Two entry points that work on a fresh Debian 12 machine as root:
#   make run   install missing packages, build Release, start the server on the embedded config
#   make test  the same set-up, then every test suite (unit, integration, conformance)

BUILD_DIR ?= build
ASAN_BUILD_DIR ?= build-asan
TSAN_BUILD_DIR ?= build-tsan
TIDY_BUILD_DIR ?= build-ci
FUZZ_SECONDS ?= 30
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
CLANG_FORMAT ?= clang-format-14

# ccache, when installed, serves every build below: CMake takes the launcher from the
# environment when it first configures a build directory. A base directory of this clone lets
# a clone elsewhere hit the same cache.
ifneq ($(shell command -v ccache 2>/dev/null),)
export CMAKE_CXX_COMPILER_LAUNCHER ?= ccache
export CCACHE_BASEDIR ?= $(CURDIR)
endif

# Ninja, not make, runs the builds: it starts a target's compiles while the libraries it links
# are still being built, where CMake's makefiles wait for them. It is the default only for build
# directories configured from now on; older ones keep their generator.
export CMAKE_GENERATOR ?= Ninja

PACKAGES := build-essential cmake ninja-build pkg-config python3 curl libboost1.81-dev libsimdjson-dev \
	librocksdb-dev prometheus-cpp-dev catch2 libtomlplusplus-dev libspdlog-dev libcli11-dev \
	librdkafka-dev libdeflate-dev zlib1g-dev libssl-dev libpq-dev libbenchmark-dev
# The checks beyond GCC: clang 14 with its ThreadSanitizer runtime, clang-tidy, clang-format.
CLANG_PACKAGES := clang-14 libclang-rt-14-dev
TIDY_PACKAGES := clang-tidy-14
FORMAT_PACKAGES := clang-format-14
# What the tests use beyond the build: Prometheus and promtool (the alert rule tests and a real
# scrape), the openssl tool (certificates made by the TLS tests), PostgreSQL 15 (the warehouse
# tests start a throwaway cluster of their own), and Node.js with the Segment
# Node SDK pinned in tests/sdk/node (Debian's nodejs only when the machine has no Node.js: a
# newer one may be installed already).
TEST_PACKAGES := prometheus openssl postgresql-15 chromium
# The sanitizer builds compile at -O1 with line tables only: under ASan a coroutine-heavy file
# takes minutes at -O2 -g (net/http_connection.cpp: 316 s with GCC, 170 s at -O1 -g1), and a
# report needs no more than file and line.
SANITIZER_BUILD := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
# The unit test suites (tests/<name>) that run under ThreadSanitizer, less the tests that start
# a Kafka producer: librdkafka starts its threads with C11 thrd_create, which glibc implements
# without calling pthread_create, so clang 14's ThreadSanitizer never registers those threads
# and crashes in them. Those tests run in the Release and ASan builds.
TSAN_SUITES := storage router server
TSAN_EXCLUDE := ^Kafka: |^The factory builds every kind of destination

.PHONY: run test deps deps-test deps-clang deps-tidy deps-format build build-asan test-asan test-tsan \
	unit conformance format format-check tidy fuzz soak clean

run: build
	$(BUILD_DIR)/sluice

test: build deps-test
	cd $(BUILD_DIR) && ctest -j $(JOBS) --output-on-failure --timeout 600

# Installs only what is missing, so it is quick and quiet when everything is there.
install_missing = missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

deps:
	@$(call install_missing,$(PACKAGES))

deps-test:
	@$(call install_missing,$(TEST_PACKAGES))
	@command -v npm >/dev/null || { $(call install_missing,nodejs npm); }
	@[ tests/sdk/node/node_modules/.package-lock.json -nt tests/sdk/node/package-lock.json ] || \
		npm ci --prefix tests/sdk/node --no-audit --no-fund
	@[ tests/ui/node_modules/.package-lock.json -nt tests/ui/package-lock.json ] || \
		npm ci --prefix tests/ui --no-audit --no-fund

deps-clang:
	@$(call install_missing,$(CLANG_PACKAGES))

deps-tidy:
	@$(call install_missing,$(TIDY_PACKAGES))

deps-format:
	@$(call install_missing,$(FORMAT_PACKAGES))

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Unit and integration tests under AddressSanitizer + UndefinedBehaviorSanitizer, in the clang
# build that also makes the fuzz targets (SLUICE_FUZZ instruments every library and test for
# ASan, UBSan and coverage): the libraries compile once for both.
configure_asan = cmake -S . -B $(ASAN_BUILD_DIR) $(SANITIZER_BUILD) \
	-DCMAKE_CXX_COMPILER=clang++-14 -DSLUICE_FUZZ=ON -DSLUICE_BUILD_BENCH=OFF $(CMAKE_FLAGS)
test-asan: deps deps-test deps-clang
	$(configure_asan)
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	cd $(ASAN_BUILD_DIR) && ctest -j $(JOBS) --output-on-failure --timeout 900

# The storage, router and server unit tests under ThreadSanitizer. The build is clang's, so it
# also checks the thread-safety annotations, and with warnings as errors. tests/tsan.supp names
# the false reports that libraries Debian does not build for TSan (RocksDB, spdlog) cause.
test-tsan: deps deps-clang
	cmake -S . -B $(TSAN_BUILD_DIR) $(SANITIZER_BUILD) \
		-DCMAKE_CXX_COMPILER=clang++-14 -DSLUICE_SANITIZE=thread -DSLUICE_WERROR=ON \
		-DSLUICE_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(TSAN_BUILD_DIR) -j $(JOBS) --target $(TSAN_SUITES:%=%_tests)
	@status=0; for suite in $(TSAN_SUITES); do \
		TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
		ctest --test-dir $(TSAN_BUILD_DIR)/tests/$$suite -j $(JOBS) --output-on-failure \
			--timeout 900 -E '$(TSAN_EXCLUDE)' || status=1; \
	done; exit $$status

# clang-tidy over every .cpp, as .clang-tidy configures it (any finding fails). It needs only
# the compile commands, so the build directory is configured, not built, always with the same
# options. Files unchanged since a clean check are skipped (see scripts/run-tidy.py).
tidy: deps deps-tidy
	cmake -S . -B $(TIDY_BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_BENCH=ON \
		-DSLUICE_WERROR=OFF $(CMAKE_FLAGS) >/dev/null
	scripts/run-tidy.py $(TIDY_BUILD_DIR) --jobs $(JOBS) --record

# The libFuzzer targets in fuzz/ (clang, ASan, UBSan), built in the ASan build's directory,
# each run FUZZ_SECONDS from its corpus, crashes found before included.
fuzz: deps deps-clang
	$(configure_asan)
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS) --target \
		ingest_fuzzer pixel_fuzzer body_decoder_fuzzer config_fuzzer answer_fuzzer webhook_fuzzer
	scripts/run-fuzz.sh $(ASAN_BUILD_DIR) $(FUZZ_SECONDS)

# Not in CI: 100 rounds of SIGKILL under load in each durability mode (about 10 minutes),
# then a check that every acknowledged event is in the log; prints the figures.
soak: build
	SLUICE_CRASH_ROUNDS=100 $(BUILD_DIR)/tests/integration/integration_tests \
		"Acknowledged events survive SIGKILL and restart"

format-check: deps-format
	CLANG_FORMAT=$(CLANG_FORMAT) scripts/check-format.sh

conformance: build
	scripts/run-conformance.sh $(BUILD_DIR)/sluice

format:
	$(CLANG_FORMAT) -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR) $(TSAN_BUILD_DIR) $(TIDY_BUILD_DIR)
