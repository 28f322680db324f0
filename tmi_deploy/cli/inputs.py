"""The deployer's side of value sources: secret files, randomness and the plan-fingerprint key.

The core resolves values through an injected ``Inputs``; this module is what the shell (CLI, tests,
benchmarks) injects. It is the only place that reads a secret file or makes random bytes.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path

from tmi_deploy.config.models import Generate


def read_secret_file(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def generate_secret(spec: Generate) -> str:
    raw = secrets.token_bytes(spec.bytes)
    return raw.hex() if spec.generate == "hex" else base64.b64encode(raw).decode()


def fingerprint_key(material: str) -> bytes:
    """Plan files compare secrets through an HMAC keyed by this: a reader without it can test no guess."""
    return hashlib.sha256(b"tmi-deploy plan fingerprint\0" + material.encode()).digest()
