#!/usr/bin/python3
"""Validates one JSON document on standard input against a schema of man/json.

usage: validate.py SCHEMA_FILE < output.json
Exit 0 when valid; 1 with every violation on stderr; 2 when the input is not one JSON document.
Every schema of the schema's directory is loaded, so `common.schema.json#/$defs/...` resolves
offline. Uses Debian's python3-jsonschema (4.10 on Debian 12; newer ones accepted too).
"""
import json
import pathlib
import sys
import warnings

import jsonschema


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    schema_path = pathlib.Path(sys.argv[1]).resolve()
    store = {}
    for path in schema_path.parent.glob("*.schema.json"):
        doc = json.loads(path.read_text())
        store[doc["$id"]] = doc
        store[path.name] = doc
    schema = json.loads(schema_path.read_text())
    try:
        instance = json.loads(sys.stdin.read())
    except json.JSONDecodeError as e:
        print(f"not one JSON document: {e}", file=sys.stderr)
        return 2
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        validator = cls(schema, resolver=resolver, format_checker=cls.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        print(f"{schema_path.name}: {where}: {e.message}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
