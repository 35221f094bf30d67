"""scripts/docs/readme_tables.py reads blocks and attribute values past brackets that are not HCL syntax:
inside quoted strings, comments and heredocs (one scanner serves both readers)."""

from __future__ import annotations

from pathlib import Path

import scripts.docs.readme_tables as docs

MODULE = r"""
variable "tags" {
  description = "Tags; a } here does not end the block"
  type        = map(string)
  default = {
    # a comment with a } and a " does not end the map
    Name = "a } b" // nor does this }
  }
}

variable "policy" {
  description = "A heredoc default"
  type        = string
  default     = <<-EOT
    { "Statement": [] }
  EOT
}

variable "name" {
  description = "Required"
  type        = string
}

output "escaped" {
  description = "A \" and a } in one string"
  value       = "}"
}

resource "aws_s3_bucket" "this" {
  /* a } in a block comment */
  bucket = var.name
}
"""


def test_brackets_in_strings_comments_and_heredocs_are_not_syntax(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MODULE)
    variables, outputs, resources, data_sources, modules = docs.parse_module(tmp_path)
    by_name = {v.name: v for v in variables}
    assert sorted(by_name) == ["name", "policy", "tags"]
    assert by_name["tags"].type == "map(string)"
    assert by_name["tags"].default == (
        '{\n    # a comment with a } and a " does not end the map\n    Name = "a } b" // nor does this }\n  }'
    )
    assert by_name["policy"].default == '<<-EOT\n    { "Statement": [] }\n  EOT'
    assert by_name["name"].default is None
    assert [o.name for o in outputs] == ["escaped"]
    assert resources == ["aws_s3_bucket.this"]
    assert (data_sources, modules) == ([], [])
