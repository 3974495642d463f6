# Thin wrappers around CMake/CTest. Each target installs missing Debian packages first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
CLANG_BUILD ?= build-clang
JOBS       ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test asan test-asan test-clang bench clean

all: build

deps:
	@./cmake/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: at this stage, the three-node demo (elect, replicate, lose the leader, re-elect).
run: build
	./$(BUILD)/cli/raftlab demo

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

$(ASAN_BUILD)/build.ninja: | deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRAFTLAB_SANITIZE=ON $(CMAKE_FLAGS)

test-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -LE slow $(CTEST_ARGS)

# The same suite built with clang 14 (the code must build with g++ 12 and clang 14).
$(CLANG_BUILD)/build.ninja: | deps
	CC=clang CXX=clang++ cmake -S . -B $(CLANG_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DRAFTLAB_BUILD_BENCH=OFF $(CMAKE_FLAGS)

test-clang: deps $(CLANG_BUILD)/build.ninja
	cmake --build $(CLANG_BUILD) -j $(JOBS)
	ctest --test-dir $(CLANG_BUILD) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

BENCH_FLAGS ?= --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

# Google Benchmark suites; figures and commands are kept in reports/BENCHMARKS.md.
bench: build
	for b in raft_bench mvcc_bench storage_bench checker_bench sim_bench; do \
	  ./$(BUILD)/bench/$$b $(BENCH_FLAGS) || exit 1; done

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(CLANG_BUILD)
