"""Validates a gaon-run JSON report against docs/run-report.schema.json."""
import json
import sys

import jsonschema

schema_path, report_path = sys.argv[1], sys.argv[2]
with open(schema_path) as f:
    schema = json.load(f)
with open(report_path) as f:
    report = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
try:
    jsonschema.Draft202012Validator(schema).validate(report)
except jsonschema.ValidationError as error:
    print(error.message, file=sys.stderr)
    sys.exit(1)
ops = sum(len(b["ops"]) for b in report["backends"])
print(f"valid: {len(report['backends'])} backends, {ops} ops")
