"""Try the service out with JWT verification on: a local signing key the service trusts, and tokens.

    python -m cds.hooks.local_key init [--dir DIR]     # key pair + prrt-cds-local.toml that trusts it
    prrt-cds serve --config DIR/prrt-cds-local.toml
    python -m cds.hooks.local_key token URL [--dir DIR] # a fresh ES384 JWT whose aud is URL

The private key stays in DIR (``prrt-cds-local-key.json``, readable by its owner only); the service
reads only the public JWK Set. For local trials: a real EHR signs with its own key and publishes it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

ISSUER = "urn:prrt-cds:local-trial"
KID = "local-trial-1"
CONFIG = "prrt-cds-local.toml"
PUBLIC = "prrt-cds-local-jwks.json"
PRIVATE = "prrt-cds-local-key.json"


def init(folder: Path) -> Path:
    """Write a new ES384 key pair and a configuration that trusts it; returns the configuration file."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP384R1())
    private = json.loads(ECAlgorithm.to_jwk(key))
    private.update(kid=KID, alg="ES384", use="sig")
    public = {name: value for name, value in private.items() if name != "d"}
    secret = folder / PRIVATE
    secret.write_text(json.dumps(private), encoding="utf-8")
    os.chmod(secret, 0o600)
    (folder / PUBLIC).write_text(json.dumps({"keys": [public]}, indent=2), encoding="utf-8")
    config = folder / CONFIG
    config.write_text(
        "# prrt-cds CDS Hooks service, local trial: trusts the key made by `python -m cds.hooks.local_key init`.\n"
        "[auth]\nverify_jwt = true\n\n[[auth.issuers]]\n"
        f'iss = "{ISSUER}"\njwks_file = "{PUBLIC}"\n', encoding="utf-8")
    return config


def token(folder: Path, audience: str, lifetime: int = 300) -> str:
    """A signed JWT for one call of ``audience`` (the exact endpoint URL), as an EHR would send it."""
    private = json.loads((folder / PRIVATE).read_text(encoding="utf-8"))
    key = ECAlgorithm.from_jwk(private)
    assert isinstance(key, ec.EllipticCurvePrivateKey), "the local key file holds no private key"
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": audience, "iat": now, "exp": now + lifetime, "jti": str(uuid.uuid4())}
    return jwt.encode(claims, key, algorithm="ES384", headers={"kid": KID, "typ": "JWT"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cds.hooks.local_key", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("init", help="make a key pair and prrt-cds-local.toml")
    made.add_argument("--dir", type=Path, default=Path("."))
    signed = commands.add_parser("token", help="print a JWT for one call")
    signed.add_argument("audience", help="the endpoint URL, e.g. http://127.0.0.1:8000/cds-services")
    signed.add_argument("--dir", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    if args.command == "init":
        config = init(args.dir)
        print(f"wrote {config}, {args.dir / PUBLIC} and {args.dir / PRIVATE}; run: prrt-cds serve --config {config}")
    else:
        print(token(args.dir, args.audience))
    return 0


if __name__ == "__main__":
    sys.exit(main())
