.PHONY: example test

example:
	scripts/example.sh

test:
	scripts/test.sh
