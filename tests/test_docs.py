"""Docs generated from code must not drift from it; the README's commands are the ones CI runs."""

import re

from corpus_tools.docgen import cli_reference
from corpus_tools.schema import markdown_reference
from tests.conftest import REPO


def test_table_reference_matches_the_schema_module():
    assert (REPO / "docs" / "tables.md").read_text(encoding="utf-8").strip() == markdown_reference().strip()


def test_cli_reference_matches_the_commands_help():
    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8").strip() == cli_reference().strip()


def test_readme_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", quick, re.S)
    commands = [line for b in blocks[:2] for line in b.strip().splitlines()]
    assert len(commands) == 2
    assert "corpus-tools ingest" in commands[0]
    assert "pytest" in commands[1]
    assert commands[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")
