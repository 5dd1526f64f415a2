#!/usr/bin/env python3
"""Writes the section-5 man page of the pipeline file from its JSON Schema.

    scripts/pipeline-manual.py > docs/orchestrate-pipeline.5
    scripts/pipeline-manual.py --check docs/orchestrate-pipeline.5

The schema names exactly the fields the loader reads (the tests hold it to
that), and every field in it must have a description: so the page, the
schema and the loader cannot drift apart. --check exits 1 when the page
differs from what the schema makes now.
"""

import json
import pathlib
import re
import sys

# The page's date: the day its text last changed by hand (roff wants one).
DATE = "2026-12-07"
SCHEMA = pathlib.Path(__file__).resolve().parent.parent / "docs" / "pipeline.schema.json"

EXAMPLE = """\
name: nightly
schedule: "0 2 * * *"
max_parallel: 2
sources: [geo, sra]
defaults: {timeout: 30m, retries: 1, retry_delay: 1m}
logs: {compress_after: 7d, delete_after: 30d}
tasks:
  - name: fetch
    for_each_source: true
    argv: [fetch-metadata, --source, "${ORCHESTRATE_SOURCE}"]
  - name: merge
    depends_on: [fetch]
    run: merge.sh > merged.csv"""


class SchemaError(Exception):
    pass


def roff(text):
    """Text as roff reads it literally: backslashes escaped, no line read as a
    request, other than ASCII as named characters (troff reads bytes), and
    `code` in bold."""
    text = text.replace("\\", "\\e")
    text = "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in text)
    text = re.sub(r"`([^`]+)`", r"\\fB\1\\fR", text)
    return "\n".join(("\\&" + line if line[:1] in (".", "'") else line) for line in text.split("\n"))


def ref_name(node):
    return node.get("$ref", "").rsplit("/", 1)[-1]


def kind(node):
    """A short type for a field: its definition's name, an enum, a range."""
    if "allOf" in node:
        return kind(node["allOf"][0])
    if "$ref" in node:
        return {"name": "name", "duration": "duration", "limit": "duration or never",
                "env": "mapping of variables", "condition": "condition",
                "notify": "list of channels", "notify_endpoint": "endpoint",
                "slurm": "Slurm settings", "executor": "local or slurm"}.get(ref_name(node), ref_name(node))
    if "not" in node and node["not"] == {}:
        return "refused"
    if "enum" in node:
        return " | ".join(str(value) for value in node["enum"])
    if "oneOf" in node:
        return " or ".join(kind(alternative) for alternative in node["oneOf"])
    types = node.get("type")
    if isinstance(types, list):
        return " | ".join(types)
    if types == "array":
        return "list of " + kind(node.get("items", {}))
    if types == "object":
        return "mapping"
    if types in ("integer", "number"):
        low = node.get("minimum", node.get("exclusiveMinimum"))
        high = node.get("maximum", node.get("exclusiveMaximum"))
        if low is not None and high is not None:
            return f"{types}, {low} to {high}"
        if low is not None:
            return f"{types}, from {low}" if "minimum" in node else f"{types} above {low}"
        return types
    return types or "any"


def fields(node, prefix, where):
    """Each property of an object (and of its nested objects): (name, kind, description)."""
    rows = []
    for name, field in node.get("properties", {}).items():
        path = prefix + name
        if "description" not in field:
            raise SchemaError(f"{SCHEMA.name}: {where}{path} has no description")
        rows.append((path, kind(field), field["description"]))
        if "properties" in field:
            rows += fields(field, path + ".", where)
        # A field written either plainly or as a mapping (schedule: "0 2 * * *"
        # or schedule: {cron: ...}): the mapping's fields too.
        for alternative in field.get("oneOf", []):
            if "properties" in alternative:
                rows += fields(alternative, path + ".", where)
    return rows


def section(title, introduction, rows):
    lines = [f".SH {title}"]
    if introduction:
        lines += [roff(introduction)]
    for name, type_text, description in rows:
        lines += [".TP", f".BR {roff(name)} \" ({roff(type_text)})\"", roff(description)]
    return lines


def manual(schema):
    defs = schema["$defs"]
    task = defs["task"]
    channel = defs["notify_channel"]
    values = [(name, text, defs[name]["description"]) for name, text in (
        ("duration", "a number of seconds, or text"), ("limit", "a duration, or never"),
        ("env", "mapping"), ("condition", "a name, or a mapping"))]
    lines = [
        f'.TH ORCHESTRATE-PIPELINE 5 {DATE} "orchestrate" "File Formats"',
        ".SH NAME",
        "orchestrate-pipeline \\- the pipeline file that orchestrate runs",
        ".SH SYNOPSIS",
        ".IR root /pipelines/ name .yaml",
        ".br",
        ".IR root /pipelines/ name .json",
        ".SH DESCRIPTION",
        roff(schema["description"]),
        ".PP",
        roff("YAML and JSON files share this one schema; keys are snake_case and an unknown "
             "key is an error, so a typo such as depend_on never drops a dependency "
             "silently. A .json file is read as strict JSON. orchestrate validate FILE checks "
             "a file and what it needs on this machine."),
        ".PP",
        roff("Each field below is followed by its type; the defaults are in its description."),
        ".SH EXAMPLE",
        ".nf",
        ".RS 4",
        roff(EXAMPLE),
        ".RE",
        ".fi",
    ]
    lines += section("PIPELINE FIELDS", "At the top of the file:", fields(schema, "", ""))
    lines += section("TASK FIELDS", "Each entry of tasks: exactly one of run and argv.",
                     fields(task, "", "tasks[]."))
    lines += section("PARAMETERS", "Each entry of params: (its key is the parameter's name).",
                     fields(defs["parameter"], "", "params.NAME."))
    lines += section("ENVIRONMENTS", "Each entry of environments: (its key is the environment's name).",
                     fields(defs["environment"], "", "environments.NAME."))
    lines += section("NOTIFICATION CHANNELS", channel["description"],
                     fields(channel, "", "notify[].")
                     + fields(defs["notify_endpoint"], "", "notify[].webhook."))
    lines += section("SLURM", "slurm: at the top (defaults) or in a task (executor: slurm).",
                     fields(defs["slurm"], "", "slurm."))
    lines += section("VALUES", "", values)
    lines += [
        ".SH SEE ALSO",
        ".BR orchestrate (1);",
        roff("docs/pipeline.md in the source, with examples for each field; the JSON Schema "
             "itself, installed as share/orchestrate/pipeline.schema.json, for editors."),
    ]
    return "\n".join(lines) + "\n"


def main(arguments):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    try:
        page = manual(schema)
    except SchemaError as error:
        print(f"pipeline-manual: {error}", file=sys.stderr)
        return 1
    if arguments[:1] == ["--check"] and len(arguments) == 2:
        written = pathlib.Path(arguments[1]).read_text(encoding="utf-8")
        if written != page:
            print(f"pipeline-manual: {arguments[1]} differs from what {SCHEMA.name} makes; "
                  f"run scripts/pipeline-manual.py > {arguments[1]}", file=sys.stderr)
            return 1
        return 0
    if arguments:
        print("usage: scripts/pipeline-manual.py [--check PAGE]", file=sys.stderr)
        return 2
    sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
