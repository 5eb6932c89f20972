"""Validates an in-toto Statement v1 with an SLSA Provenance v1 predicate using the
in-toto attestation framework's own bindings (PyPI `in-toto-attestation`): strict
protobuf JSON parsing (unknown fields, wrong types and bad timestamps fail) plus the
Statement's `validate()`. Prints the subjects as `sha256  name` lines, SHA256SUMS-style.

usage: check_statement.py STATEMENT.json
"""
import json
import sys

from google.protobuf import json_format
from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement

with open(sys.argv[1], encoding="utf-8") as f:
    document = json.load(f)

statement = Statement.copy_from_pb(json_format.ParseDict(document, statement_pb2.Statement()))
statement.validate()
if statement.pb.predicate_type != "https://slsa.dev/provenance/v1":
    sys.exit(f"predicateType is {statement.pb.predicate_type}")

provenance = json_format.ParseDict(document["predicate"], provenance_pb2.Provenance())
if not provenance.build_definition.build_type:
    sys.exit("buildDefinition.buildType is required")
if not provenance.run_details.builder.id:
    sys.exit("runDetails.builder.id is required")

for subject in statement.pb.subject:
    print(f"{subject.digest['sha256']}  {subject.name}")
