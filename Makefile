# mhv — a small Type-1 hypervisor for x86-64 on VT-x/EPT.
# One hand-written GNU Makefile; everything is built out of tree under $(BUILD).

CROSS   ?=
CC      := $(CROSS)gcc
LD      := $(CROSS)ld
OBJCOPY := $(CROSS)objcopy
HOSTCC  ?= cc
BUILD   ?= build
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wno-unused-parameter
KCFLAGS := -std=c11 -O2 -g $(WARN) -ffreestanding -nostdlib -fno-pic -fno-pie -mno-red-zone \
           -mcmodel=kernel -mgeneral-regs-only -mno-sse -mno-mmx -mno-80387 \
           -fno-stack-protector -fno-omit-frame-pointer -fno-strict-aliasing \
           -fno-asynchronous-unwind-tables -mindirect-branch=thunk -mindirect-branch-register \
           -I. -MMD -MP $(KDEFS)
KASFLAGS := -g -I. -MMD -MP -D__ASSEMBLY__ $(KDEFS)
KLDFLAGS := -m elf_x86_64 -nostdlib -static -no-pie -z max-page-size=0x1000 --no-warn-rwx-segments -T linker.ld

# Host unit tests run natively, with sanitizers: device models, parsers, EPT and the
# decoder are ordinary C that must not depend on being inside the hypervisor.
HCFLAGS := -std=c11 -O1 -g $(WARN) -Wno-missing-prototypes -I. -DHOST_TEST \
           -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# Each test binary is one compiler run over several sources, for which -MMD records only the
# last one's headers: the binaries depend on every header instead.
HOST_HDRS := $(wildcard */*.h tests/*/*.h)

KSRC_C := $(wildcard boot/*.c kernel/*.c drivers/*.c vmx/*.c ept/*.c sched/*.c devices/*.c)
KSRC_S := $(wildcard boot/*.S vmx/*.S)
KOBJS  := $(patsubst %,$(BUILD)/k/%.o,$(KSRC_S) $(KSRC_C))
KERNEL := $(BUILD)/mhv.elf

.PHONY: all kernel guests unit-tests tools fuzzers fuzz test run bench bench-linux chaos deps clean format
all: kernel guests unit-tests tools

kernel: $(KERNEL)

$(KERNEL): $(KOBJS) linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS)

$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# --- host unit tests: each tests/unit/NAME.mk adds NAME to UNIT_TESTS and sets NAME_SRCS ---
UNIT_TESTS :=
include $(wildcard tests/unit/*.mk)
UNIT_BINS := $(patsubst %,$(BUILD)/unit/%,$(UNIT_TESTS))
UNIT_COMMON := tests/unit/check.c tests/unit/shim.c

define unit_rule
$(BUILD)/unit/$(1): tests/unit/$(1).c $(UNIT_COMMON) $$($(1)_SRCS) $(HOST_HDRS)
	@mkdir -p $$(dir $$@)
	@echo "  HOSTCC  $$@"
	$(Q)$(HOSTCC) $(HCFLAGS) -o $$@ $$(filter %.c,$$^)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

unit-tests: $(UNIT_BINS)

# --- host tools the boot tests use ---
TOOLS := $(BUILD)/tools/screen-text
tools: $(TOOLS)
$(BUILD)/tools/screen-text: tests/boot/screen_text.c drivers/font5x7.c drivers/font5x7.h drivers/screen.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) -std=c11 -O2 $(WARN) -Wno-missing-prototypes -I. -o $@ $(filter %.c,$^)

# --- libFuzzer harnesses: each tests/fuzz/NAME.mk adds NAME to FUZZ_TARGETS and sets NAME_SRCS.
# Same sources and defines as the unit tests, built by clang with libFuzzer. ---
FUZZCC	     ?= clang
FUZZ_SECONDS ?= 60
FCFLAGS := $(filter-out -fsanitize=%,$(HCFLAGS)) -fsanitize=fuzzer,address,undefined
FUZZ_TARGETS :=
include $(wildcard tests/fuzz/*.mk)
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_TARGETS))

define fuzz_rule
$(BUILD)/fuzz/$(1): tests/fuzz/$(1).c tests/unit/shim.c $$($(1)_SRCS) $(HOST_HDRS)
	@mkdir -p $$(dir $$@)
	@echo "  FUZZCC  $$@"
	$(Q)$(FUZZCC) $(FCFLAGS) -o $$@ $$(filter %.c,$$^)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

fuzzers: $(FUZZ_BINS)

# --- test guests: each guests/NAME.mk adds its images to GUEST_IMAGES ---
GUEST_IMAGES :=
include $(wildcard guests/*.mk)
guests: $(GUEST_IMAGES)

# --- entry points ---
deps:
	@tools/install-deps

test: deps
	@$(MAKE) --no-print-directory all fuzzers
	@tests/run-all

# Every harness for FUZZ_SECONDS (make test runs them for a few seconds only).
fuzz: deps
	@$(MAKE) --no-print-directory fuzzers
	@tests/fuzz/run --seconds $(FUZZ_SECONDS)

# The demo's Linux VMs need make linux-guest; without a package mirror the run goes on
# without them.
run: deps
	@$(MAKE) --no-print-directory kernel guests
	@$(MAKE) --no-print-directory linux-guest || echo "run: make linux-guest failed: no Linux VMs in the demo" >&2
	@tools/run $(RUNFLAGS)

bench: deps
	@$(MAKE) --no-print-directory kernel guests
	@tools/bench
	@tools/bench-sched

bench-linux: deps
	@$(MAKE) --no-print-directory kernel linux-guest
	@tools/bench-linux
	@tools/bench-linux-virtio

# The hostile-guest generator for many seeds (tools/chaos; SEEDS, FIRST and OPS override).
SEEDS ?= 100
FIRST ?= 1
OPS ?= 400
chaos: deps
	@$(MAKE) --no-print-directory kernel guests
	@tools/chaos --seeds $(SEEDS) --first $(FIRST) --ops $(OPS)

format:
	clang-format -i $(KSRC_C) $(wildcard */*.h tests/unit/*.c tests/fuzz/*.[ch] guests/*/*.c)

clean:
	rm -rf $(BUILD)

-include $(KOBJS:.o=.d)
