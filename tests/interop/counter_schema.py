"""Validation of /r51/ responses: always against our own schema
(interop/schemas/counter_sushi_r51.schema.json), and against the official COUNTER_SUSHI API 5.1
OpenAPI document where a copy is available (COUNTER_API_SPEC, or extracted from a local git mirror
of Project-Counter/cop5). The official document is CC BY 4.0 and is never committed here."""

import json
import os
import subprocess
from functools import cache
from pathlib import Path

import jsonschema
import pytest

OURS = Path(__file__).resolve().parents[2] / "interop" / "schemas" / "counter_sushi_r51.schema.json"
MIRROR = Path("/work/.mirror/Project-Counter+cop5/repo")
EXTRACTED = Path("/tmp/zmd-counter-api/COUNTER_API.json")


@cache
def _ours() -> dict:
    return json.loads(OURS.read_text())


def validate_ours(kind: str, body) -> None:
    """kind: status | members | reports | pr | ir | ir_m1 | stoppingException."""
    schema = dict(_ours())
    schema["$ref"] = f"#/$defs/{kind}"
    jsonschema.Draft202012Validator(schema).validate(body)


@cache
def official_spec_path() -> Path | None:
    configured = os.environ.get("COUNTER_API_SPEC")
    if configured:
        return Path(configured) if Path(configured).exists() else None
    if EXTRACTED.exists():
        return EXTRACTED
    if MIRROR.exists():
        result = subprocess.run(
            ["git", "-C", str(MIRROR), "show", "planned:api-specification/COUNTER_API.json"],
            capture_output=True,
            check=False,
        )
        if result.returncode == 0:
            EXTRACTED.parent.mkdir(parents=True, exist_ok=True)
            partial = EXTRACTED.with_name(f"{EXTRACTED.name}.{os.getpid()}")  # parallel workers
            partial.write_bytes(result.stdout)
            partial.replace(EXTRACTED)
            return EXTRACTED
    return None


@cache
def _official() -> dict | None:
    path = official_spec_path()
    return json.loads(path.read_text()) if path else None


def validate_official(path: str, status: int, body) -> None:
    """Validate a response body against the response schema the official document gives for this
    path and status. Skips (with the reason) where the document is not available."""
    spec = _official()
    if spec is None:
        pytest.skip(
            "Official COUNTER_API.json not available: set COUNTER_API_SPEC to a copy of "
            "Project-Counter/cop5 api-specification/COUNTER_API.json (branch planned) to validate against it."
        )
    responses = spec["paths"][path]["get"]["responses"]
    assert str(status) in responses, f"the official document defines no {status} response for {path}"
    pointer = responses[str(status)]["$ref"]  # "#/components/responses/200_PR"
    name = pointer.rsplit("/", 1)[-1]
    schema = dict(spec)
    schema["$ref"] = f"#/components/responses/{name}/content/application~1json/schema"
    jsonschema.Draft202012Validator(schema).validate(body)


def validate(path: str, status: int, body, kind: str) -> None:
    """Our schema always; the official document where available (else only ours, and say so)."""
    validate_ours(kind, body)
    if _official() is not None:
        validate_official(path, status, body)
