"""Where the passages live: the SearchBackend boundary (base.py) and its implementations."""
