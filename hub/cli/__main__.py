"""The ``crossdock`` command's entry point (``python -m hub.cli`` too), loading the CLI only
when it runs.

A hub's translating workers are spawned processes, and spawning runs the starting process's
main script again in each (as ``__mp_main__``, for what it may define): for the ``crossdock``
console script that was ``from hub.cli.app import main``, the whole CLI (typer, click, rich)
in every worker: about 100 ms of its start-up and 2-4 MB of its memory, for nothing it uses.
The console script imports this module instead (``[project.scripts]``).
"""

from __future__ import annotations

__all__ = ["main"]


def main() -> None:
    """Run the ``crossdock`` command line (:func:`hub.cli.app.main`)."""
    # imported here, when the command runs, not when a spawned worker re-imports the script
    from hub.cli.app import main as run

    run()


if __name__ == "__main__":
    main()
