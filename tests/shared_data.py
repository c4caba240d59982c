"""Where the test data the project is given lives beside the repository (../shared, or one
level further up from a worktree), read in place and never copied: tests that need it skip
when it is not there (a clone in /tmp)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCLING: Path | None = next((base / "shared" / "docling" for base in (ROOT.parent, ROOT.parent.parent)
                             if (base / "shared" / "docling").is_dir()), None)
