.PHONY: example test bench

example:
	scripts/example.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh
