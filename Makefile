# httpd + fetch. `make` builds bin/httpd and bin/fetch; `make test` runs every test;
# `make run` serves www/ on port 8080. Project flags are kept apart from the user's CFLAGS.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
CC      ?= cc
BUILD   ?= build
BIN     ?= bin
PORT    ?= 8080

WARN = -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion \
       -Wstrict-prototypes -Wmissing-prototypes -Wmissing-declarations \
       -Wpointer-arith -Wcast-qual -Wformat=2 -Wundef -Wvla
# CI (CI=true) and `make WERROR=1` turn every warning into an error.
ifeq ($(CI),true)
WERROR ?= 1
endif
ifeq ($(WERROR),1)
WARN += -Werror
endif

OPT ?= -O2 -g
ifeq ($(SAN),1)
OPT = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SANLD = -fsanitize=address,undefined
endif

# llhttp: the system's pkg-config package when there is one, else the C sources
# Debian's node-llhttp ships, compiled here (strict mode) into a static library.
LLHTTP_SRC ?= /usr/share/llhttp
ifeq ($(shell pkg-config --exists libllhttp 2>/dev/null && echo y),y)
LLHTTP_CFLAGS := $(shell pkg-config --cflags libllhttp)
LLHTTP_LIBS   := $(shell pkg-config --libs libllhttp)
LLHTTP_A      :=
else
LLHTTP_CFLAGS := -I/usr/share/include/llhttp
LLHTTP_A      := $(BUILD)/libllhttp.a
LLHTTP_LIBS   := $(LLHTTP_A)
endif

# OpenSSL 3 (libssl-dev), seen only by lib/tls.c; both programs link it.
TLS_CFLAGS := $(shell pkg-config --cflags openssl 2>/dev/null)
TLS_LIBS   := $(shell pkg-config --libs openssl 2>/dev/null || echo -lssl -lcrypto)

# fetch's own libraries: OpenSSL's libcrypto (--checksum) and zlib (--compressed).
FETCH_CFLAGS := $(shell pkg-config --cflags libcrypto zlib 2>/dev/null)
FETCH_LIBS   := $(shell pkg-config --libs libcrypto zlib 2>/dev/null || echo -lcrypto -lz)

CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

ALL_CFLAGS  = -std=gnu11 $(OPT) $(WARN) -D_GNU_SOURCE -DLLHTTP_STRICT_MODE=1 \
              -Ilib $(LLHTTP_CFLAGS) $(TLS_CFLAGS) $(FETCH_CFLAGS) -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SANLD) $(LDFLAGS)

LIB_SRC   := $(wildcard lib/*.c)
HTTPD_SRC := $(wildcard httpd/*.c)
FETCH_SRC := $(wildcard fetch/*.c)
UNIT_SRC  := $(wildcard tests/unit/check_*.c)

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
HTTPD_OBJ := $(HTTPD_SRC:%.c=$(BUILD)/%.o)
FETCH_OBJ := $(FETCH_SRC:%.c=$(BUILD)/%.o)
UNITS     := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Unit tests of a program's own modules link that program's objects, less its main.
HTTPD_MODS := $(filter-out $(BUILD)/httpd/main.o,$(HTTPD_OBJ))
FETCH_MODS := $(filter-out $(BUILD)/fetch/main.o,$(FETCH_OBJ))
TEST_HELPERS := $(wildcard tests/helpers/*.c)
HELPER_BINS  := $(TEST_HELPERS:tests/helpers/%.c=$(BUILD)/tests/helpers/%)

.PHONY: all deps run test unit integration asan install uninstall clean format bench fuzz soak
all: $(BIN)/httpd $(BIN)/fetch

deps:
	@sh .ci/deps.sh

$(BUILD)/libcommon.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/libllhttp.a: $(LLHTTP_SRC)/llhttp.c $(LLHTTP_SRC)/api.c $(LLHTTP_SRC)/http.c
	@mkdir -p $(BUILD)/llhttp
	@# Foreign code: compiled as shipped, in strict mode, without our warning set.
	for f in llhttp api http; do \
	  $(CC) -std=gnu11 $(OPT) -w -DLLHTTP_STRICT_MODE=1 $(LLHTTP_CFLAGS) $(CFLAGS) \
	    -c $(LLHTTP_SRC)/$$f.c -o $(BUILD)/llhttp/$$f.o || exit 1; \
	done
	$(AR) rcs $@ $(BUILD)/llhttp/llhttp.o $(BUILD)/llhttp/api.o $(BUILD)/llhttp/http.o

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Ihttpd -Ifetch -c $< -o $@

$(BIN)/httpd: $(HTTPD_OBJ) $(BUILD)/libcommon.a $(LLHTTP_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $^ $(LLHTTP_LIBS) $(TLS_LIBS) -o $@

$(BIN)/fetch: $(FETCH_OBJ) $(BUILD)/libcommon.a $(LLHTTP_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $^ $(LLHTTP_LIBS) $(TLS_LIBS) $(FETCH_LIBS) -o $@

$(BUILD)/tests/check_%: $(BUILD)/tests/check_%.o $(HTTPD_MODS) $(FETCH_MODS) $(BUILD)/libcommon.a $(LLHTTP_A)
	$(CC) $(ALL_LDFLAGS) -Wl,--gc-sections $< $(HTTPD_MODS) $(FETCH_MODS) $(BUILD)/libcommon.a \
	  $(LLHTTP_LIBS) $(TLS_LIBS) $(FETCH_LIBS) $(CHECK_LIBS) -o $@

$(BUILD)/tests/helpers/%: tests/helpers/%.c $(BUILD)/libcommon.a $(LLHTTP_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $^ $(LLHTTP_LIBS) $(TLS_LIBS) -o $@

run: deps all
	$(BIN)/httpd -p $(PORT) www

unit: $(UNITS)
	@sh tests/run-units.sh $(UNITS)

integration: all $(HELPER_BINS)
	@BIN=$(abspath $(BIN)) HELPERS=$(abspath $(BUILD)/tests/helpers) sh tests/run-integration.sh

test: deps
	@$(MAKE) --no-print-directory all $(UNITS) $(HELPER_BINS)
	@$(MAKE) --no-print-directory unit integration

# The same tests against an AddressSanitizer + UndefinedBehaviorSanitizer build.
asan: deps
	@$(MAKE) --no-print-directory SAN=1 BUILD=build/asan BIN=build/asan/bin unit integration

# libFuzzer harnesses (fuzz/), FUZZ_SECONDS each (default 60); fails on any crash.
fuzz:
	@sh fuzz/run.sh

# 60 s mixed load against the ASan build: no errors, no sanitizer report, stable RSS.
soak: deps
	@$(MAKE) --no-print-directory SAN=1 BUILD=build/asan BIN=build/asan/bin all
	@BIN=$(abspath build/asan/bin) sh tests/soak.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(BIN)/httpd $(BIN)/fetch $(DESTDIR)$(BINDIR)
	install -m 644 fetch/fetch.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 httpd/httpd.8 $(DESTDIR)$(MANDIR)/man8

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/httpd $(DESTDIR)$(BINDIR)/fetch
	rm -f $(DESTDIR)$(MANDIR)/man1/fetch.1 $(DESTDIR)$(MANDIR)/man8/httpd.8

# httpd and fetch against nginx, h2o, lighttpd, curl and wget: writes bench/RESULTS.md.
bench: all
	@sh bench/run.sh

format:
	clang-format -i lib/*.[ch] httpd/*.[ch] fetch/*.[ch] tests/unit/*.c

clean:
	rm -rf build bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
