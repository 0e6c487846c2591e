#!/usr/bin/env python3
"""Verify a Sonod QR text with an independent COSE implementation (pycose).

Usage: verify_pycose.py OFFICE.pub.pem QR_TEXT

Given only the office's SPKI PEM public key, decodes the Base32 out of the URL, checks
that the protected header says EdDSA with the key's id, verifies the COSE_Sign1
signature with pycose, and prints the payload as JSON. Exit 0 when it verifies, 1 when
it does not, 2 on usage errors.
"""
import base64
import hashlib
import json
import sys

import cbor2
from cryptography.hazmat.primitives import serialization
from pycose.headers import KID, Algorithm
from pycose.keys.curves import Ed25519
from pycose.keys.okp import OKPKey
from pycose.messages import CoseMessage, Sign1Message


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    pem = open(sys.argv[1], "rb").read()
    public = serialization.load_pem_public_key(pem)
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    text = sys.argv[2].strip()
    b32 = text.rstrip("/").rsplit("/", 1)[-1].upper() if "://" in text else text.upper()
    data = base64.b32decode(b32 + "=" * (-len(b32) % 8))

    msg = CoseMessage.decode(data)
    if not isinstance(msg, Sign1Message):
        print("not a COSE_Sign1", file=sys.stderr)
        return 1
    alg = msg.phdr.get(Algorithm)
    if getattr(alg, "fullname", None) != "EDDSA":
        print(f"unexpected alg {alg}", file=sys.stderr)
        return 1
    if msg.phdr.get(KID) != hashlib.sha256(raw).digest()[:8]:
        print("kid does not match the public key", file=sys.stderr)
        return 1
    msg.key = OKPKey(crv=Ed25519, x=raw)
    try:
        ok = msg.verify_signature()
    except Exception as e:  # pycose raises on malformed signatures
        print(f"verification error: {e}", file=sys.stderr)
        return 1
    if not ok:
        print("signature does not verify", file=sys.stderr)
        return 1
    payload = cbor2.loads(msg.payload)
    fields = {str(k): (v.hex() if isinstance(v, bytes) else v) for k, v in payload[6].items()}
    claims = {str(k): v for k, v in payload.items() if k != 6}
    print(json.dumps({"verified": True, "claims": claims, "fields": fields}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
