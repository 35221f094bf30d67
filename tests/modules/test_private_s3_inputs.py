"""modules/private-s3: every rejected input fails the plan with a message that says what to fix."""

from __future__ import annotations

import pytest

from tests.harness import assert_rejected, module_workspace, set_module_inputs

pytestmark = pytest.mark.emulator

VALID = {"bucket_name": "imgclass-inputs-test"}

CASES = [
    ({"bucket_name": "Uploads"}, "bucket_name must be 3-63 characters of lowercase letters"),
    ({"bucket_name": "ab"}, "bucket_name must be 3-63 characters"),
    ({"bucket_name": "my.bucket.name"}, "no dots, no uppercase"),
    ({"bucket_name": "-leading-dash"}, "starting and ending with a letter or digit"),
    ({"bucket_name": "xn--punycode"}, 'must not start with "xn--"'),
    ({"bucket_name": "name-s3alias"}, 'end with "-s3alias"'),
    ({"encryption": "aws:kms:dsse"}, 'encryption must be "aws:kms" or "AES256"'),
    ({"kms_key_arn": "alias/my-key"}, "kms_key_arn must be a KMS key ARN"),
    (
        {"kms_key_deletion_window_in_days": 5},
        "kms_key_deletion_window_in_days must be a whole number from 7 to 30",
    ),
    (
        {"abort_incomplete_multipart_upload_days": 0},
        "abort_incomplete_multipart_upload_days must be a whole number of days, at least 1",
    ),
    (
        {"noncurrent_version_expiration_days": -3},
        "noncurrent_version_expiration_days must be a whole number of days, at least 1",
    ),
    (
        {"object_expiration_days": 0},
        "object_expiration_days must be null or a whole number of days, at least 1",
    ),
    (
        {"transitions": [{"days": 10, "storage_class": "STANDARD_IA"}]},
        "at least 30 for STANDARD_IA and ONEZONE_IA",
    ),
    ({"transitions": [{"days": 40, "storage_class": "COLD"}]}, "transitions[*].storage_class must be one of"),
    # S3 Lifecycle combinations AWS refuses and moto accepts, all in one plan.
    (
        {
            "transitions": [
                {"days": 30, "storage_class": "STANDARD_IA"},
                {"days": 60, "storage_class": "STANDARD_IA"},
                {"days": 45, "storage_class": "GLACIER"},
                {"days": 200, "storage_class": "GLACIER_IR"},
            ],
        },
        [
            "transitions must name each storage_class at most once",
            "transitions must follow the S3 transition waterfall",
            "transitions out of STANDARD_IA or ONEZONE_IA must come at least 30 days after",
        ],
    ),
    # A rule that refers to another input only shows when that input is valid, so it has its own plan.
    (
        {
            "transitions": [{"days": 30, "storage_class": "STANDARD_IA"}, {"days": 200, "storage_class": "GLACIER"}],
            "object_expiration_days": 100,
        },
        "object_expiration_days must be greater than every transitions[*].days",
    ),
    (
        {"cors_allowed_origins": ["https://app.example.com/upload"]},
        "cors_allowed_origins entries must be an origin",
    ),
    ({"cors_allowed_origins": ["app.example.com"]}, "cors_allowed_origins entries must be an origin"),
    ({"cors_allowed_methods": ["PATCH"]}, "cors_allowed_methods must be a non-empty list"),
    ({"additional_policy_json": "{not json"}, "additional_policy_json must be a JSON policy document"),
]


@pytest.fixture(scope="module")
def ws(emulator, tmp_path_factory):
    # One initialised root for every case: each case only rewrites the variables file.
    return module_workspace("private-s3", VALID, emulator, tmp_path_factory.mktemp("s3inputs"))


@pytest.mark.parametrize(("bad", "message"), CASES, ids=[next(iter(c[0])) + f"-{i}" for i, c in enumerate(CASES)])
def test_rejected(ws, bad, message):
    set_module_inputs(ws, {**VALID, **bad})
    assert_rejected(ws, None, *([message] if isinstance(message, str) else message))
