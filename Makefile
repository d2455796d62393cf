# Two entry points that work on a fresh Debian 12 machine as root:
#   make run   install missing packages, build Release, start the server on the embedded config
#   make test  the same set-up, then every test suite (unit, integration, conformance)

BUILD_DIR ?= build
ASAN_BUILD_DIR ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

PACKAGES := build-essential cmake pkg-config python3 curl libboost1.81-dev libsimdjson-dev \
	librocksdb-dev prometheus-cpp-dev catch2 libtomlplusplus-dev libspdlog-dev libcli11-dev \
	librdkafka-dev libdeflate-dev zlib1g-dev libssl-dev libbenchmark-dev

.PHONY: run test deps build build-asan test-asan unit conformance format clean

run: build
	$(BUILD_DIR)/sluice

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600

# Installs only what is missing, so it is quick and quiet when everything is there.
deps:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Unit and integration tests under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_SANITIZE=ON \
		-DSLUICE_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	cd $(ASAN_BUILD_DIR) && ctest --output-on-failure --timeout 900

conformance: build
	scripts/run-conformance.sh $(BUILD_DIR)/sluice

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR)
