.PHONY: example test bench deps release manual completions install

PREFIX ?= /usr/local
DESTDIR ?=
# The binary people install carries the Swift runtime in it, so it runs
# on a machine without the toolchain.
RELEASE_FLAGS := -c release --static-swift-stdlib
STAGE := .build/install

example:
	scripts/example.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

# The build's Debian packages (scripts/bootstrap.sh installs those missing,
# through sudo when not root), so that `make install` works on a new machine.
deps:
	scripts/bootstrap.sh

release: deps
	swift build $(RELEASE_FLAGS) --product orchestrate
	swift build $(RELEASE_FLAGS) --product orchestrate-serve

# orchestrate(1) comes from the commands' own help, through swift-argument-parser's
# generate-manual tool (the same one its generate-manual plugin runs, built
# here from the package's checkout, offline), tidied so that man lints clean.
# orchestrate-pipeline(5) is docs/orchestrate-pipeline.5, made from the
# pipeline schema by scripts/pipeline-manual.py (the tests keep them in step).
manual: release
	swift build --product generate-manual
	mkdir -p $(STAGE)/man
	"$$(swift build --show-bin-path)/generate-manual" \
	  "$$(swift build $(RELEASE_FLAGS) --show-bin-path)/orchestrate" --output-directory $(STAGE)/man
	awk -f scripts/tidy-manual.awk $(STAGE)/man/orchestrate.1 > $(STAGE)/man/orchestrate.1.tidy
	mv $(STAGE)/man/orchestrate.1.tidy $(STAGE)/man/orchestrate.1

completions: release
	mkdir -p $(STAGE)/completions
	bin="$$(swift build $(RELEASE_FLAGS) --show-bin-path)/orchestrate"; \
	  "$$bin" --generate-completion-script bash > $(STAGE)/completions/orchestrate.bash && \
	  "$$bin" --generate-completion-script zsh > $(STAGE)/completions/_orchestrate && \
	  "$$bin" --generate-completion-script fish > $(STAGE)/completions/orchestrate.fish

install: release manual completions
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d $(DESTDIR)$(PREFIX)/share/orchestrate
	for program in orchestrate orchestrate-serve; do \
	  strip -o $(DESTDIR)$(PREFIX)/bin/$$program "$$(swift build $(RELEASE_FLAGS) --show-bin-path)/$$program" && \
	  chmod 755 $(DESTDIR)$(PREFIX)/bin/$$program || exit 1; \
	done
	install -m 644 $(STAGE)/man/orchestrate.1 $(DESTDIR)$(PREFIX)/share/man/man1/orchestrate.1
	install -m 644 docs/orchestrate-pipeline.5 $(DESTDIR)$(PREFIX)/share/man/man5/orchestrate-pipeline.5
	install -m 644 $(STAGE)/completions/orchestrate.bash \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/orchestrate
	install -m 644 $(STAGE)/completions/_orchestrate $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_orchestrate
	install -m 644 $(STAGE)/completions/orchestrate.fish \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/orchestrate.fish
	install -m 644 docs/pipeline.schema.json docs/run-record.schema.json docs/status.schema.json \
	  $(DESTDIR)$(PREFIX)/share/orchestrate/
