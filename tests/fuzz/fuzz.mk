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

$(SCAP_FUZZER): $(SCAP_SRC) $(wildcard runtime/*.h runtime/*.def) compiler/fields.def
	@mkdir -p $(FUZZ_DIR)
	$(CLANG) $(FUZZ_CFLAGS) -I. -Iruntime -o $@ $(SCAP_SRC) -lz -lpcre2-8
