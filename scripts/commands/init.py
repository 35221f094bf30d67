"""``init --env ENV``: ``terraform -chdir=terraform init`` with the environment's S3 backend.

The backend arguments come from ``scripts.terraform.backend.backend_config``: the committed
``terraform/environments/<env>.s3.tfbackend`` plus ``STATE_BUCKET`` and ``STATE_KMS_KEY_ARN`` from the
environment. The workflows call this instead of a raw ``terraform init``, so the pipeline, a person
and the tools initialise the backend the same way. Providers exactly as locked (``-lockfile=readonly``).
"""

from __future__ import annotations

import argparse
import os

from scripts.terraform.backend import backend_config
from scripts.terraform.tf import REPO_ROOT, Workspace, logs_dir

INIT_FLAGS = ("-input=false", "-lockfile=readonly")


def run(args: argparse.Namespace) -> int:
    arguments = backend_config(args.env, os.environ, REPO_ROOT)
    log = logs_dir() / f"init-{args.env}.terraform.log"
    log.write_text("")
    # A failed init is a TerraformError: exit 2, its first diagnostic and the log's path, one line.
    Workspace(REPO_ROOT / "terraform", log=log).run("init", *INIT_FLAGS, *arguments)
    print(f"terraform/ initialised with the {args.env} state backend; Terraform log: {log}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "init",
        help="terraform init of terraform/ with an environment's S3 backend (STATE_BUCKET, STATE_KMS_KEY_ARN)",
        description=(
            "Run `terraform -chdir=terraform init -input=false -lockfile=readonly` with "
            "terraform/environments/<env>.s3.tfbackend and the per-account state bucket and KMS key ARN from "
            "STATE_BUCKET and STATE_KMS_KEY_ARN (the bootstrap outputs state_bucket and state_bucket_kms_key_arn; "
            "docs/cicd.md). Exit 0 initialised, 2 a missing value or a failed init (one line, the log's path)."
        ),
    )
    parser.add_argument("--env", required=True, help="environment: a terraform/environments/<env>.s3.tfbackend")
    parser.set_defaults(func=run)
