"""Root pytest configuration: the kit's fixtures for the real broker and database."""

pytest_plugins = ["pind_kit.testing"]
