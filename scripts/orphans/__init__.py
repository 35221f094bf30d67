"""Find resources that carry the platform's tags (or its name prefix) but are absent from Terraform state.

A killed apply (a lost runner: SIGKILL) can leave resources that AWS created but Terraform never
wrote to state; the next apply then fails on a name conflict or, worse, creates a duplicate.
``find_orphans`` lists them with the ``terraform import`` line that adopts each; the runbook
docs/runbooks/orphaned-resources.md says what to do with them.
"""

from scripts.orphans.catalog import LiveResource
from scripts.orphans.finder import Orphan, find_orphans, import_line
from scripts.orphans.state import StateIndex, load_state, pull_state

__all__ = ["LiveResource", "Orphan", "StateIndex", "find_orphans", "import_line", "load_state", "pull_state"]
