"""Errors of the index that callers show to users; kept light so the CLI can import them early."""


class IndexUnavailable(Exception):
    """The index is missing or does not fit the configuration; str(err) says what to run."""
