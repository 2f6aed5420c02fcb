"""Every error the index and the search raise for callers to show to users; kept light so the CLI can
import them early. str(err) is a Dutch message saying what to do."""


class IndexUnavailable(Exception):
    """The index is missing or does not fit the configuration; str(err) says what to run."""


class ModelMismatch(IndexUnavailable):
    """The index was built with another embedding model than the one configured."""


class QueryError(ValueError):
    """A query that cannot be searched; str(err) says what to type instead."""


class ParamsError(ValueError):
    """A search parameter file or override that does not fit the parameters; str(err) says which."""
