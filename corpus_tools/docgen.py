"""Generate docs/cli.md from the commands' own ``--help`` (``python -m corpus_tools.docgen``)."""

from __future__ import annotations

import click

from .cli import cli


def _walk(cmd: click.Command, path: list[str], parent: click.Context | None = None):
    # contexts chained as a real invocation chains them, with each command's context_settings:
    # the help then shows the options a user sees (e.g. -h), whatever ran in this process before
    ctx = click.Context(cmd, info_name=path[-1], parent=parent, terminal_width=100, max_content_width=100,
                        **cmd.context_settings)
    yield path, cmd, ctx
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.list_commands(ctx)):
            yield from _walk(cmd.get_command(ctx, name), path + [name], ctx)


def cli_reference() -> str:
    """Markdown with the ``--help`` text of every command."""
    out = ["# CLI reference", "", "Generated from `--help` by `python -m corpus_tools.docgen`; do not edit by hand.", ""]
    for path, cmd, ctx in _walk(cli, ["corpus-tools"]):
        with ctx:
            text = cmd.get_help(ctx)
        out += [f"## {' '.join(path)}", "", "```text", text, "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    print(cli_reference())
