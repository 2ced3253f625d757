# frc — one plain Makefile, out-of-tree build into $(BUILD)/.
# Sources are picked up by wildcard per directory, so adding a module is adding a file.

ifeq ($(SAN),1)
BUILD   ?= build-san
else
BUILD   ?= build
endif
CC      ?= cc
CLANG   ?= clang
PYTHON  ?= python3
V       ?= 0
Q        = $(if $(filter 1,$(V)),,@)

DEB_PKGS = build-essential pkg-config libyaml-dev libtcc-dev tcc libbpf-dev libelf-dev \
	   zlib1g-dev re2c bison libcmocka-dev clang llvm bpftool sysdig libpcre2-dev \
	   python3 python3-yaml libcurl4-openssl-dev libmicrohttpd-dev libssl-dev libclang-rt-14-dev

WARN    = -Wall -Wextra -Wshadow -Wundef -Wwrite-strings -Wstrict-prototypes \
	  -Wmissing-prototypes -Wmissing-declarations -Wformat=2 -Wimplicit-fallthrough -Wvla
CSTD    = -std=c11 -D_GNU_SOURCE
OPT     ?= -O2 -g
SAN_ON   = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SANFLAGS = $(if $(filter 1,$(SAN)),$(SAN_ON))
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) -Werror $(SANFLAGS) -MMD -MP \
	  -I. -I$(BUILD) -I$(BUILD)/compiler -I$(BUILD)/probe -Icompiler -Iruntime -Iprobe
GEN_CFLAGS = $(CSTD) $(OPT) -Wall -Wextra -Werror -Wno-unused-function -Wno-unused-parameter \
	  -Wno-sign-compare $(SANFLAGS) -MMD -MP -I. -I$(BUILD) -I$(BUILD)/compiler -Icompiler -Iruntime -Iprobe
LIBS    = -lyaml -ltcc -lbpf -lelf -lz -lpcre2-8 -lcurl -lmicrohttpd -lcrypto -ldl -lm -lpthread
LDFLAGS_ALL = $(SANFLAGS) -rdynamic

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps run test test-unit test-scripts clean fuzz bench golden-bless format-check probe \
	install uninstall

# ---------------------------------------------------------------- sources
COMPILER_SRC = $(filter-out compiler/main.c,$(wildcard compiler/*.c))
RUNTIME_SRC  = $(filter-out runtime/main.c,$(wildcard runtime/*.c))
COMPILER_OBJ = $(COMPILER_SRC:%.c=$(BUILD)/%.o) \
	       $(if $(wildcard compiler/lexer.re),$(BUILD)/compiler/lexer.o) \
	       $(if $(wildcard compiler/parser.y),$(BUILD)/compiler/parser.o)
PARSER_H     = $(if $(wildcard compiler/parser.y),$(BUILD)/compiler/parser.h)
RUNTIME_OBJ  = $(RUNTIME_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC     = $(wildcard tests/unit/test_*.c)
UNIT_BIN     = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# helper programs that script tests drive (tests/<dir>/<name>_drv.c -> $(BUILD)/tests/<dir>/<name>_drv)
TEST_DRV_SRC = $(wildcard tests/*/*_drv.c)
TEST_DRV     = $(TEST_DRV_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT = $(wildcard tests/support/*.c)
TEST_SUPPORT_OBJ = $(TEST_SUPPORT:%.c=$(BUILD)/%.o)

# the eBPF probe (skeleton built at build time from this machine's BTF)
PROBE_SRC    = $(wildcard probe/*.bpf.c)
PROBE_SKEL   = $(PROBE_SRC:probe/%.bpf.c=$(BUILD)/probe/%.skel.h)

all: $(BUILD)/frc $(GENERATED_SRC)

# ---------------------------------------------------------------- deps
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all packages present"; fi
	$(Q)mkdir -p $(BUILD) && touch $(BUILD)/.deps-ok

$(BUILD)/.deps-ok:
	$(Q)$(MAKE) --no-print-directory deps

# ---------------------------------------------------------------- generated parser/lexer
$(BUILD)/compiler/lexer.c: compiler/lexer.re $(BUILD)/compiler/parser.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  RE2C    $<"
	$(Q)re2c -W -Werror --no-generation-date --no-version -o $@ $<

$(BUILD)/compiler/parser.c $(BUILD)/compiler/parser.h &: compiler/parser.y | $(BUILD)/.deps-ok
	@mkdir -p $(BUILD)/compiler
	@echo "  BISON   $<"
	$(Q)bison -Wall -Werror --defines=$(BUILD)/compiler/parser.h -o $(BUILD)/compiler/parser.c $<

$(BUILD)/compiler/lexer.o: $(BUILD)/compiler/lexer.c
	@echo "  CC      $<"
	$(Q)$(CC) $(GEN_CFLAGS) -c -o $@ $<

$(BUILD)/compiler/parser.o: $(BUILD)/compiler/parser.c
	@echo "  CC      $<"
	$(Q)$(CC) $(GEN_CFLAGS) -c -o $@ $<

# every hand-written object may include the generated parser header and the probe skeleton
$(BUILD)/%.o: %.c $(PARSER_H) $(PROBE_SKEL) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

# ---------------------------------------------------------------- probe
$(BUILD)/probe/vmlinux.h: | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  BTF     $@"
	$(Q)bpftool btf dump file /sys/kernel/btf/vmlinux format c > $@

$(BUILD)/probe/%.bpf.o: probe/%.bpf.c $(wildcard probe/*.h) $(BUILD)/probe/vmlinux.h
	@echo "  BPF     $<"
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(BUILD)/probe -Iprobe -c $< -o $@

$(BUILD)/probe/%.skel.h: $(BUILD)/probe/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)bpftool gen skeleton $< name $(subst .,_,$*)_bpf > $@

probe: $(PROBE_SKEL)

# ---------------------------------------------------------------- libraries and binary
$(BUILD)/libfrcc.a: $(COMPILER_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libfrcrt.a: $(RUNTIME_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

# generated/ holds the C that `frc compile` writes for rules/ (committed, checked for staleness
# by tests/generated/run.sh). It is written by frc-bootstrap, the frc binary without generated
# code, and compiled with gcc -O2 into frc (the default rules, ruleset_builtin()).
DEFAULT_RULES = $(sort $(wildcard rules/*.yaml))
GENERATED_SRC = $(sort $(wildcard generated/*.c) $(if $(DEFAULT_RULES),generated/rules.c))
GENERATED_OBJ = $(GENERATED_SRC:%.c=$(BUILD)/%.o)
ifneq ($(DEFAULT_RULES),)
generated/rules.c: $(DEFAULT_RULES) $(BUILD)/frc-bootstrap
	@echo "  FRC     $@"
	$(Q)$(BUILD)/frc-bootstrap compile -o generated $(DEFAULT_RULES)
endif

$(BUILD)/frc-bootstrap: $(BUILD)/runtime/main.o $(BUILD)/libfrcrt.a $(BUILD)/libfrcc.a
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(BUILD)/runtime/main.o \
	  -Wl,--start-group $(BUILD)/libfrcrt.a $(BUILD)/libfrcc.a -Wl,--end-group $(LIBS)
$(BUILD)/generated/%.o: generated/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) -std=c11 -O2 -g -Wall -Wextra -Werror -Wno-unused-function -Wno-unused-parameter $(SANFLAGS) -Iruntime -Iprobe -I. -c -o $@ $<

$(BUILD)/frc: $(BUILD)/runtime/main.o $(GENERATED_OBJ) $(BUILD)/libfrcrt.a $(BUILD)/libfrcc.a
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(BUILD)/runtime/main.o $(GENERATED_OBJ) \
	  -Wl,--start-group $(BUILD)/libfrcrt.a $(BUILD)/libfrcc.a -Wl,--end-group $(LIBS)

# ---------------------------------------------------------------- tests
$(BUILD)/tests/test_%: tests/unit/test_%.c $(TEST_SUPPORT_OBJ) $(BUILD)/libfrcrt.a $(BUILD)/libfrcc.a
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/support $(LDFLAGS_ALL) -o $@ $< $(TEST_SUPPORT_OBJ) \
	  -Wl,--start-group $(BUILD)/libfrcrt.a $(BUILD)/libfrcc.a -Wl,--end-group $(LIBS) -lcmocka

$(BUILD)/tests/%_drv: tests/%_drv.c $(TEST_SUPPORT_OBJ) $(BUILD)/libfrcrt.a $(BUILD)/libfrcc.a
	@mkdir -p $(dir $@)
	@echo "  DRV     $@"
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/support $(LDFLAGS_ALL) -o $@ $< $(TEST_SUPPORT_OBJ) \
	  -Wl,--start-group $(BUILD)/libfrcrt.a $(BUILD)/libfrcc.a -Wl,--end-group $(LIBS)

test-unit: $(UNIT_BIN)

# `make test` builds everything, then tests/run_all.sh runs every unit binary and every
# tests/*/run.sh script and prints the final `N passed, N failed` line.
test: $(BUILD)/frc $(UNIT_BIN) $(TEST_DRV)
	$(Q)BUILD=$(BUILD) SAN=$(SAN) PYTHON=$(PYTHON) bash tests/run_all.sh

run: $(BUILD)/frc
	$(BUILD)/frc run

fuzz:
	$(Q)$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk BUILD=$(BUILD)

bench: $(BUILD)/frc
	$(Q)BUILD=$(BUILD) bash bench/run_all.sh

# rewrite the expectations of tests/golden (all cases, or T=case); review the diff
golden-bless: $(BUILD)/frc
	$(Q)BUILD=$(BUILD) BLESS=1 T=$(T) bash tests/golden/run.sh

# ---------------------------------------------------------------- install
# make install [PREFIX=/usr/local] [SYSCONFDIR=/etc] [DESTDIR=staging dir]
# binary, default rules (rules/*.yaml -> /etc/frc/rules.d), configuration (kept if present:
# the new default goes to frc.yaml.new), systemd unit, man page.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
MANDIR     ?= $(PREFIX)/share/man
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
FRC_ETC     = $(DESTDIR)$(SYSCONFDIR)/frc

install: $(BUILD)/frc
	install -d $(DESTDIR)$(BINDIR) $(FRC_ETC)/rules.d $(FRC_ETC)/config.d \
	  $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSTEMDDIR)
	install -m 0755 $(BUILD)/frc $(DESTDIR)$(BINDIR)/frc
	$(if $(wildcard rules/*.yaml),install -m 0644 $(wildcard rules/*.yaml) $(FRC_ETC)/rules.d/)
	sed -e 's|/etc/frc/|$(SYSCONFDIR)/frc/|g' deploy/frc.yaml > $(FRC_ETC)/frc.yaml.new
	@if [ -e $(FRC_ETC)/frc.yaml ]; then \
	  echo "kept $(FRC_ETC)/frc.yaml; the new default is $(FRC_ETC)/frc.yaml.new"; \
	else mv $(FRC_ETC)/frc.yaml.new $(FRC_ETC)/frc.yaml; fi
	@[ -e $(FRC_ETC)/frc_rules.local.yaml ] || \
	  printf '%s\n' '# Local rules, macros, lists and overrides; loaded after rules.d.' \
	    > $(FRC_ETC)/frc_rules.local.yaml
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' deploy/frc.service \
	  > $(DESTDIR)$(SYSTEMDDIR)/frc.service
	install -m 0644 docs/frc.8 $(DESTDIR)$(MANDIR)/man8/frc.8
	@echo "installed; start with: systemctl daemon-reload && systemctl enable --now frc"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/frc $(DESTDIR)$(SYSTEMDDIR)/frc.service $(DESTDIR)$(MANDIR)/man8/frc.8
	@echo "kept $(FRC_ETC) (configuration and rules)"

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
