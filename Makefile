# Thin wrappers around CMake/CTest. Each target installs missing Debian packages first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
CLANG_BUILD ?= build-clang
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc)
CMAKE_FLAGS ?=
# Release is -O3: g++ 12 warns at -O3 where it does not at -O2 (a false
# -Wrestrict inside std::string once broke the Release build), so the main
# build, the one CI runs first, is the optimised one.
BUILD_TYPE ?= Release

.PHONY: all deps configure build run sweep zoo test asan test-asan test-clang fuzz-build fuzz fuzz-campaign bench bench-live clean

all: build

deps:
	@./cmake/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: sweep the scenario library over each scenario's seed range
# (progress bar on a terminal; ends with "N passed, M failed").
run: build
	./$(BUILD)/cli/raftlab run scenarios/*.yaml --jobs $(JOBS) --out $(BUILD)/run

# The long sweep, for people: every library scenario over SEEDS.
SEEDS ?= 1..200
sweep: build
	./$(BUILD)/cli/raftlab run scenarios/*.yaml --seeds $(SEEDS) --jobs $(JOBS) --out $(BUILD)/sweep

# Detection figures of the bug zoo (docs/bugzoo.md).
BUDGET ?= 200
zoo: build
	./$(BUILD)/cli/raftlab zoo --budget $(BUDGET) --jobs $(JOBS) --json $(BUILD)/zoo.json

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

$(ASAN_BUILD)/build.ninja: | deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRAFTLAB_SANITIZE=ON $(CMAKE_FLAGS)

test-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -LE 'slow|scenarios|zoo' $(CTEST_ARGS)

# The same suite built with clang 14 (the code must build with g++ 12 and clang 14).
$(CLANG_BUILD)/build.ninja: | deps
	CC=clang CXX=clang++ cmake -S . -B $(CLANG_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DRAFTLAB_BUILD_BENCH=OFF $(CMAKE_FLAGS)

test-clang: deps $(CLANG_BUILD)/build.ninja
	cmake --build $(CLANG_BUILD) -j $(JOBS)
	ctest --test-dir $(CLANG_BUILD) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# libFuzzer builds of tests/fuzz (clang 14, ASan + UBSan, coverage
# instrumentation); `make fuzz` runs each target FUZZ_SECONDS from its corpus
# and prints executions, coverage and crashes (tools/fuzz.sh). The corpus
# regression run is a ctest (label fuzz) of every build.
$(FUZZ_BUILD)/build.ninja: | deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DRAFTLAB_FUZZ=ON -DRAFTLAB_SANITIZE=ON -DRAFTLAB_BUILD_BENCH=OFF $(CMAKE_FLAGS)

fuzz-build: deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets

fuzz: fuzz-build
	tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# The long campaign of issue 20: every target (or FUZZ_TARGETS="a b") until
# 10 million executions or 60 CPU-minutes, whichever comes first. Hours of
# CPU in all; the figures are in tests/fuzz/README.md.
fuzz-campaign: fuzz-build
	FUZZ_RUNS=10000000 FUZZ_CPU_SECONDS=3600 tools/fuzz.sh $(FUZZ_BUILD) 43200

BENCH_FLAGS ?= --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

# Google Benchmark suites; figures and commands are kept in reports/BENCHMARKS.md.
bench: build
	for b in raft_bench mvcc_bench storage_bench checker_bench sim_bench; do \
	  ./$(BUILD)/bench/$$b $(BENCH_FLAGS) || exit 1; done

# raftlab against etcd 3.4 on this machine, 3 members each (reports/BENCHMARKS.md).
REPS ?= 3
bench-live: build
	bench/live/live_bench.sh ./$(BUILD)/cli/raftlab $(REPS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(CLANG_BUILD)
