"""Our ``decoder_encoder`` against the AWS toolkit's own (2.6.0), call by call.

``aws_parity_calls.py`` makes the same calls in two interpreters: ``.venv/aws-toolkit``
(the AWS package, installed by ``scripts/bootstrap --dev``) and this one (our compat
module under the AWS import name). A call must give the same value (text and bytes exactly,
images pixel for pixel), or raise an error that every ``except`` clause naming a builtin
class (or ``json.JSONDecodeError``) that caught the AWS error also catches. Every other
difference is listed in ``ALLOWED`` with the row of docs/migration.md that explains it;
an unlisted difference fails, and so does a listed one that no longer differs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.toolkit import aws_parity_calls

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(aws_parity_calls.__file__)
AWS_PYTHON = ROOT / ".venv" / "aws-toolkit" / "bin" / "python"
MIGRATION_GUIDE = ROOT / "docs" / "migration.md"

# call id -> a phrase of its row in docs/migration.md's table of AWS toolkit defects
CHARSET = "`application/json; charset=utf-8` refused"
CRASHES = "`decoder_encoder`: inputs it crashed on"
CSV_IN = "`decode_csv`: `bytes` refused"
JSON_OUT = "`encode_json`: NaN or ±Infinity"
CSV_OUT = "`encode_csv`: a single dict"
ENCODE = "`encode`: `*/*` and `application/jsonlines` refused"
IMAGE_OUT = "`encode_image`: an RGBA image as JPEG"
PICKLE = "`.npy` bodies unpickled, object arrays answered as pickles"
ALLOWED = {
    "decode json lines under application/json": "JSON Lines with `MultiRecord` fails",
    "decode json with a charset": CHARSET,
    "encode json with a charset": CHARSET,
    "decode deeply nested json": CRASHES,
    "decode empty csv": CRASHES,
    "decode_csv ragged row": CRASHES,
    "decode_image not an image": CRASHES,
    "decode empty audio": CRASHES,
    "decode csv bytes": CSV_IN,
    "decode_csv upper-case header": CSV_IN,
    "decode npy objects": PICKLE,
    "encode npy objects": PICKLE,
    "encode_json nan": JSON_OUT,
    "encode_json bytes": JSON_OUT,
    "encode_csv one dict": CSV_OUT,
    "encode_csv rows with different keys": CSV_OUT,
    "encode_csv list cells": CSV_OUT,
    "encode_csv nested rows": CSV_OUT,
    "encode_csv empty": CSV_OUT,
    "encode any": ENCODE,
    "encode json lines": ENCODE,
    "encode_image rgba as jpeg": IMAGE_OUT,
    "encode_image not an image": IMAGE_OUT,
    "encode image/png not an image": IMAGE_OUT,
}
CALL_IDS = list(aws_parity_calls.calls(None))


def run_side(python: Path | str, side: str) -> dict:
    completed = subprocess.run(
        [str(python), str(DRIVER), side], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert completed.returncode == 0, f"the {side} side failed:\n{completed.stderr[-4000:]}"
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def sides() -> tuple[dict, dict]:
    if not AWS_PYTHON.exists():
        pytest.fail(
            f"{AWS_PYTHON} is missing: the AWS toolkit's side venv is the oracle of this test; "
            "run scripts/bootstrap --dev",
            pytrace=False,
        )
    aws, ours = run_side(AWS_PYTHON, "aws"), run_side(sys.executable, "ours")
    assert ".venv/aws-toolkit/" in aws["module"], aws["module"]
    assert ours["module"].endswith("sagemaker_hf/toolkit/compat/decoder_encoder.py"), ours["module"]
    return aws, ours


def test_every_public_function_of_the_aws_module_exists_with_its_parameters(sides):
    aws, ours = sides
    assert set(aws["functions"]) == {
        "decode",
        "decode_audio",
        "decode_csv",
        "decode_image",
        "decode_json",
        "encode",
        "encode_csv",
        "encode_image",
        "encode_json",
    }
    for name, parameters in aws["functions"].items():
        assert ours["functions"].get(name) == parameters, name


def test_every_content_types_constant_has_the_aws_value(sides):
    aws, ours = sides
    assert len(aws["content_types"]) >= 20
    assert {name: ours["content_types"].get(name) for name in aws["content_types"]} == aws["content_types"]


def same_outcome(aws: dict, ours: dict) -> bool:
    if "value" in aws or "value" in ours:
        return aws == ours
    return set(aws["catchable_as"]) <= set(ours["catchable_as"])


@pytest.mark.parametrize("call", CALL_IDS)
def test_each_call_answers_as_the_aws_toolkit_or_as_documented(sides, call):
    aws, ours = (side["calls"][call] for side in sides)
    if call in ALLOWED:
        assert not same_outcome(aws, ours), f"{call!r} no longer differs: remove it from ALLOWED"
        return
    assert same_outcome(aws, ours), (
        f"{call!r}\n  AWS:  {json.dumps(aws)[:600]}\n  ours: {json.dumps(ours)[:600]}"
    )


def test_the_allowed_differences_are_in_the_migration_guide():
    guide = MIGRATION_GUIDE.read_text(encoding="utf-8")
    assert set(ALLOWED) <= set(CALL_IDS)
    for call, phrase in ALLOWED.items():
        assert phrase in guide, f"{call!r}: docs/migration.md has no row with {phrase!r}"


def test_the_calls_cover_the_aws_toolkits_own_test_inputs():
    # tests/unit/test_decoder_encoder.py of the AWS toolkit, and one call per image type.
    for call in ("decode_json str", "decode_csv question and context", "decode_csv inputs", "encode_json"):
        assert call in CALL_IDS
    for call in ("encode_json numpy array", "encode_csv", "decode json", "encode json", "decode_audio"):
        assert call in CALL_IDS
    for media_type in aws_parity_calls.IMAGE_TYPES:
        assert f"encode {media_type}" in CALL_IDS and f"decode {media_type}" in CALL_IDS
