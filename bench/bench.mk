# SPDX-License-Identifier: GPL-2.0-only
# bench/: `make bench` = packages + build + guest kernels + the matrix of
# CONFIG (default bench/configs/default.conf) + its report, ending with the
# report's path; `make report RUN=results/<run-id>` rebuilds a run's report.
CONFIG ?= bench/configs/default.conf
.PHONY: bench-deps validate

# Packages first (serial make builds prerequisites left to right).
bench-deps:
	@host/need-packages bench

bench: bench-deps all kernel
	@rc=0; run=$$(bench/apf-bench "$(CONFIG)") || rc=$$?; \
	if [ -z "$$run" ]; then exit "$$rc"; fi; \
	scripts/apf-report "$$run" || exit 1; \
	if [ "$$rc" != 0 ]; then echo "bench: some cells failed (see $$run/report/index.html)" >&2; fi; \
	exit "$$rc"

report: $(BUILD)/apf-stats
	@if [ -z "$(RUN)" ]; then echo "usage: make report RUN=results/<run-id>" >&2; exit 2; fi
	@scripts/apf-report "$(RUN)"

# A benchmark, not a test: the known async-PF effects through a nested
# host (scripts/apf-validate; about 12 minutes on 2 cores).
validate: bench-deps all kernel
	@scripts/apf-validate
