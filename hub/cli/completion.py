"""``crossdock completion SHELL``: the shell's completion script for ``crossdock``.

The script is click's: the shell runs ``crossdock`` with ``_CROSSDOCK_COMPLETE`` set to ask for
the words that may follow (commands, options, an option's choices). Install it once, e.g.
``eval "$(crossdock completion bash)"`` in ``~/.bashrc`` (README, "Command line").
"""

import click
from click.shell_completion import get_completion_class

__all__ = ["completion"]

#: the shells click writes a script for
SHELLS = ("bash", "zsh", "fish")


@click.command()
@click.argument("shell", type=click.Choice(SHELLS), metavar="SHELL", help="bash, zsh or fish")
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the shell's completion script for crossdock (commands, options, their values).

    Install it once: `eval "$(crossdock completion bash)"` in ~/.bashrc, `eval "$(crossdock
    completion zsh)"` in ~/.zshrc, or `crossdock completion fish | source` in fish's config.
    """
    root = ctx.find_root()
    name = root.info_name or "crossdock"
    complete = get_completion_class(shell)
    assert complete is not None  # one of SHELLS, which click knows
    script = complete(
        root.command, {}, name, f"_{name.replace('-', '_').replace('.', '_').upper()}_COMPLETE"
    ).source()
    click.echo(script)
