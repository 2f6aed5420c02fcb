"""The query side: a question in, ranked passages with an answer, highlights and a confidence out.

Stages, in order: query.py (prepare), candidates.py, fuse.py, answer.py, highlight.py,
confidence.py; compare.py reuses them; retriever.py chains them. Question shapes live in
shapes.py, every weight in params.toml, Dutch word lists in index/dutch.py.
"""
