#!/usr/bin/env python3
"""Validates YAML or JSON files against a JSON Schema (draft 2020-12).

    scripts/check-json-schema.py SCHEMA FILE...

Prints one line per problem, `FILE: PATH: MESSAGE`, and exits 1 when any
file does not match, 0 when all do. The tests use it to keep the schemas in
docs/ in step with what orchestrate reads and writes; scripts/bootstrap.sh
installs its two modules (jsonschema, PyYAML) when missing.
"""
import json
import sys

import jsonschema
import yaml


class TextDatesLoader(yaml.SafeLoader):
    """Dates stay text, as orchestrate reads them."""


TextDatesLoader.yaml_implicit_resolvers = {
    key: [resolver for resolver in resolvers if resolver[0] != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(path):
    with open(path, encoding="utf-8") as handle:
        if path.endswith((".yaml", ".yml")):
            return yaml.load(handle, Loader=TextDatesLoader)
        return json.load(handle)


def main(arguments):
    if len(arguments) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(arguments[0], encoding="utf-8") as handle:
        schema = json.load(handle)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    failed = False
    for path in arguments[1:]:
        for error in sorted(validator.iter_errors(load(path)), key=lambda e: list(e.absolute_path)):
            failed = True
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            print(f"{path}: {where.lstrip('.') or '(top level)'}: {error.message}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
