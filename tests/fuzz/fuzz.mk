# libFuzzer build and run of the condition front end (`make fuzz`; tests/fuzz/run.sh uses it
# for the short smoke run inside `make test`).
#   make fuzz                   build, then fuzz for FUZZ_TIME seconds (default 600)
#   make -f tests/fuzz/fuzz.mk fuzzer    build only
BUILD     ?= build
CLANG     ?= clang
FUZZ_TIME ?= 600
FUZZ_DIR   = $(BUILD)/fuzz
FUZZER     = $(FUZZ_DIR)/fuzz_condition
CORPUS    ?= tests/fuzz/corpus-condition
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	      -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	      -Icompiler -I$(FUZZ_DIR)
SRC = compiler/arena.c compiler/ast.c compiler/parse.c compiler/warn.c compiler/fields.c \
      $(FUZZ_DIR)/lexer.c $(FUZZ_DIR)/parser.c tests/fuzz/fuzz_condition.c

# the rules-file front end (tests/fuzz/fuzz_yaml.c): `make -f tests/fuzz/fuzz.mk yaml-run`
YAML_FUZZER = $(FUZZ_DIR)/fuzz_yaml
YAML_CORPUS ?= tests/fuzz/corpus-yaml
YAML_SRC = $(filter-out tests/fuzz/fuzz_condition.c,$(SRC)) compiler/diag.c compiler/load_yaml.c \
	   compiler/reader.c compiler/expand.c compiler/check.c compiler/loader.c runtime/evtab.c \
	   runtime/strv.c \
	   tests/fuzz/fuzz_yaml.c

.PHONY: run fuzzer yaml-run yaml-fuzzer run-scap fuzzer-scap
.DELETE_ON_ERROR:

run: $(FUZZER)
	@mkdir -p $(CORPUS)
	bash tests/fuzz/seeds.sh $(CORPUS)
	$(FUZZER) -max_total_time=$(FUZZ_TIME) -dict=tests/fuzz/condition.dict \
	  -artifact_prefix=$(FUZZ_DIR)/ -print_final_stats=1 $(CORPUS)

fuzzer: $(FUZZER)

yaml-fuzzer: $(YAML_FUZZER)

yaml-run: $(YAML_FUZZER)
	@mkdir -p $(YAML_CORPUS)
	cp -n tests/fuzz/yaml-seeds/*.yaml $(YAML_CORPUS)/
	$(YAML_FUZZER) -max_total_time=$(FUZZ_TIME) -artifact_prefix=$(FUZZ_DIR)/ \
	  -print_final_stats=1 $(YAML_CORPUS)

$(YAML_FUZZER): $(YAML_SRC) $(wildcard compiler/*.h) compiler/fields.def runtime/evtab.def
	$(CLANG) $(FUZZ_CFLAGS) -I. -Iruntime -o $@ $(YAML_SRC) -lyaml -lpcre2-8

$(FUZZ_DIR)/parser.c $(FUZZ_DIR)/parser.h &: compiler/parser.y
	@mkdir -p $(FUZZ_DIR)
	bison -Wall -Werror --defines=$(FUZZ_DIR)/parser.h -o $(FUZZ_DIR)/parser.c $<

$(FUZZ_DIR)/lexer.c: compiler/lexer.re $(FUZZ_DIR)/parser.h
	re2c -W -Werror --no-generation-date --no-version -o $@ $<

$(FUZZER): $(SRC) $(wildcard compiler/*.h) compiler/fields.def
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $(SRC)

# the capture reader + engine fuzzer (tests/fuzz/fuzz_scap.c; seeds from tests/fuzz/seeds_scap.sh)
SCAP_FUZZER = $(FUZZ_DIR)/fuzz_scap
SCAP_CORPUS ?= tests/fuzz/corpus-scap
SCAP_SRC = runtime/scap.c runtime/event.c runtime/evtab.c runtime/state.c runtime/extract.c \
	   runtime/engine.c runtime/jsonr.c compiler/fields.c tests/fuzz/fuzz_scap.c

fuzzer-scap: $(SCAP_FUZZER)

run-scap: $(SCAP_FUZZER)
	@mkdir -p $(SCAP_CORPUS)
	bash tests/fuzz/seeds_scap.sh $(SCAP_CORPUS)
	$(SCAP_FUZZER) -max_total_time=$(FUZZ_TIME) -max_len=65536 -rss_limit_mb=4096 \
	  -artifact_prefix=$(FUZZ_DIR)/ -print_final_stats=1 $(SCAP_CORPUS)

$(SCAP_FUZZER): $(SCAP_SRC) tests/fuzz/fuzz_feed.h $(wildcard runtime/*.h runtime/*.def) compiler/fields.def
	@mkdir -p $(FUZZ_DIR)
	$(CLANG) $(FUZZ_CFLAGS) -I. -Iruntime -o $@ $(SCAP_SRC) -lz -lpcre2-8

# ---------------------------------------------------------------- whole-project targets
# Every compiler/ and runtime/ source (but main.c) instrumented for the fuzzers into one
# archive; the targets below link what they use from it:
#   fuzz_rules   rules files end to end (load, lower, optimise, emit C, libtcc JIT)
#   fuzz_config  falco.yaml text and -o KEY=VALUE overrides (runtime/config.c)
#   fuzz_output  output templates rendered over hostile field values (text and JSON)
#   fuzz_eval    a fixed JIT-compiled ruleset evaluated over arbitrary captures and events
# `make -f tests/fuzz/fuzz.mk fuzz-all` builds them; run one with
#   build/fuzz/fuzz_rules -max_total_time=600 tests/fuzz/rules-seeds
FUZZ_OBJ_DIR = $(FUZZ_DIR)/obj
FUZZ_LIB_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	      -fno-sanitize-recover=undefined -fno-omit-frame-pointer -MMD -MP \
	      -I. -I$(FUZZ_DIR) -Icompiler -Iruntime -Iprobe -I$(BUILD)/probe
FUZZ_LIB_SRC = $(filter-out runtime/main.c,$(wildcard compiler/*.c runtime/*.c))
FUZZ_LIB_OBJ = $(FUZZ_LIB_SRC:%.c=$(FUZZ_OBJ_DIR)/%.o) $(FUZZ_OBJ_DIR)/lexer.o \
	       $(FUZZ_OBJ_DIR)/parser.o
FUZZ_LIB = $(FUZZ_DIR)/libfrc-fuzz.a
FUZZ_LIBS = -lyaml -ltcc -lbpf -lelf -lz -lpcre2-8 -lcurl -lmicrohttpd -lcrypto -ldl -lm \
	    -lpthread
FUZZ_ALL = $(FUZZ_DIR)/fuzz_rules $(FUZZ_DIR)/fuzz_config $(FUZZ_DIR)/fuzz_output \
	   $(FUZZ_DIR)/fuzz_eval

.PHONY: fuzz-all
fuzz-all: $(FUZZ_ALL)

$(FUZZ_OBJ_DIR)/%.o: %.c $(FUZZ_DIR)/parser.h
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_LIB_CFLAGS) -c -o $@ $<

$(FUZZ_OBJ_DIR)/lexer.o: $(FUZZ_DIR)/lexer.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_LIB_CFLAGS) -c -o $@ $<

$(FUZZ_OBJ_DIR)/parser.o: $(FUZZ_DIR)/parser.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_LIB_CFLAGS) -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/json_strict.h tests/fuzz/fuzz_feed.h $(FUZZ_LIB)
	$(CLANG) $(FUZZ_CFLAGS) -rdynamic -I. -Iruntime -o $@ $< $(FUZZ_LIB) $(FUZZ_LIBS)

-include $(FUZZ_LIB_OBJ:.o=.d)
