"""``python -m hub.cli``: the same as the ``crossdock`` command."""

from hub.cli.app import main

main()
