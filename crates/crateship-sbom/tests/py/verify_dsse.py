"""Verifies a DSSE envelope's Ed25519 signature with PyPI `securesystemslib` and prints
the payload. Exits non-zero when the signature does not verify.

usage: verify_dsse.py ENVELOPE.json KEYID PUBLIC_KEY_HEX
"""
import json
import sys

from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

envelope_path, keyid, public_hex = sys.argv[1:4]
with open(envelope_path, encoding="utf-8") as f:
    envelope = Envelope.from_dict(json.load(f))
if envelope.payload_type != "application/vnd.in-toto+json":
    sys.exit(f"payloadType is {envelope.payload_type}")
key = SSlibKey(keyid, "ed25519", "ed25519", {"public": public_hex})
envelope.verify([key], 1)
sys.stdout.write(envelope.payload.decode("utf-8"))
