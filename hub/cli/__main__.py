"""``python -m hub.cli``: the same as the ``crossdock`` command."""

from hub.cli.app import main

if __name__ == "__main__":  # worker processes (spawn) import this module without running it
    main()
