"""Generate docs/cli.md from the commands' own ``--help`` (``python -m corpus_tools.docgen``)."""

from __future__ import annotations

import click

from .cli import cli


def _walk(cmd: click.Command, path: list[str]):
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.list_commands(click.Context(cmd))):
            yield from _walk(cmd.get_command(click.Context(cmd), name), path + [name])


def cli_reference() -> str:
    """Markdown with the ``--help`` text of every command."""
    out = ["# CLI reference", "", "Generated from `--help` by `python -m corpus_tools.docgen`; do not edit by hand.", ""]
    for path, cmd in _walk(cli, ["corpus-tools"]):
        with click.Context(cmd, info_name=" ".join(path), terminal_width=100, max_content_width=100) as ctx:
            text = cmd.get_help(ctx)
        out += [f"## {' '.join(path)}", "", "```text", text, "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    print(cli_reference())
