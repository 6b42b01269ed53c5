"""``python -m pind_cli``: the same as the ``pind`` command."""

from pind_cli.main import main

main()
