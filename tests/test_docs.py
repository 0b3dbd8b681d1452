"""Documentation stays true: every DATELINE_* setting the code reads is in the README (Datasette's test_docs)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def settings_read_by_code() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "dateline").rglob("*.py"):
        names |= set(re.findall(r"""environ(?:\.get)?\(\s*["'](DATELINE_[A-Z_]+)""", path.read_text()))
        names |= set(re.findall(r"""environ\[["'](DATELINE_[A-Z_]+)""", path.read_text()))
        # settings.py's helpers: env_bool("DATELINE_DEBUG"), env_json("DATELINE_OEMBED_PROVIDERS_EXTRA", …)
        names |= set(re.findall(r"""env_[a-z]+\(\s*["'](DATELINE_[A-Z_]+)""", path.read_text()))
    return names


def test_every_environment_setting_is_documented():
    readme = (ROOT / "README.md").read_text()
    found = settings_read_by_code()
    assert {"DATELINE_DATABASE_URL", "DATELINE_OEMBED_PROVIDERS_EXTRA"} <= found  # the scan itself works
    undocumented = sorted(name for name in found if f"`{name}`" not in readme)
    assert undocumented == []


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
