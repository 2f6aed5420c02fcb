"""Question shapes, as one table: what a question asks for and what a passage or sentence must state.

A shape ("hoeveel", "hoe snel", "waarom", ...) is one entry of SHAPES: `asks` reads the question
(None: not asked; otherwise what is asked, such as the terms of the counted thing), `states` tests
a sentence, `passage` (optional) a whole passage. Its numbers live in params.toml under
[shapes.<name>]: the passage bonus (fusion), the answer bonus (answer choice) and whether an
answer that does not state it lowers the confidence. Fusion, answer choice and confidence loop
over this table; a new shape is one entry, its numbers and its tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from index.search.queryinfo import (
    asks_age,
    asks_duration,
    asks_frequency,
    asks_lead_time,
    asks_list,
    asks_name,
    asks_reason,
    asks_year,
    defined_term,
    names_something_new,
    new_names,
    states_age,
    states_cause,
    states_duration,
    states_frequency,
    states_lead_time,
    years_named,
)
from index.search.sentences import enumerates
from index.search.terms import Terms

Span = tuple[int, int]


@dataclass(frozen=True)
class Sentence:
    """An answer candidate as the shapes see it."""

    text: str  # the unit (sentence, list item, table row)
    shown: str  # what the answer would show: the unit extended, or the reason before a conclusion
    gives_reason: bool = False  # the unit is a conclusion ("daarom ...") and `shown` the reason before it
    defines: bool = False  # the unit defines the term a 'wat is X' question asks about


@dataclass(frozen=True)
class Passage:
    text: str
    units: Sequence[Span]


@dataclass(frozen=True)
class Shape:
    name: str
    asks: Callable[[str, str, Terms], Any]  # (question, topic, terms) -> None or what is asked
    states: Callable[[Sentence, Any, Terms], bool]
    passage: Callable[[Passage, Any, Terms], bool] | None = None
    top_passages_only: bool = False  # passage bonus only among the top answer.count_passages passages


def _flag(test: Callable[[str], bool]) -> Callable[[str, str, Terms], Any]:
    return lambda text, topic, terms: True if test(text) else None


def _counts_in_some_unit(p: Passage, counted: Any, terms: Terms) -> bool:
    # Only by a precise group: a lift from a loose group ("€" for any budget) would answer other things.
    return any(terms.states_count(p.text[s:e], counted, by_group=False) for s, e in p.units)


SHAPES: tuple[Shape, ...] = (
    # "hoeveel", "wat is het uurtarief": a number of the counted thing ("kinderen" ~ "jeugdigen", "€").
    Shape(
        "counting",
        asks=lambda text, topic, terms: terms.counted(text),
        states=lambda s, counted, terms: terms.states_count(s.text, counted),
        passage=_counts_in_some_unit,
        top_passages_only=True,
    ),
    # "wat is X": the passage's sentence that defines X (opens with it, or first names all its words).
    Shape("definition", asks=lambda text, topic, terms: defined_term(topic), states=lambda s, x, t: s.defines),
    # "hoe snel", "binnen hoeveel tijd": a time span ("binnen 24 uur").
    Shape(
        "duration",
        asks=_flag(asks_duration),
        states=lambda s, x, t: states_duration(s.text),
        passage=lambda p, x, t: states_duration(p.text),
    ),
    # "hoe vaak": how often ("twee maal per jaar", "jaarlijks").
    Shape(
        "frequency",
        asks=_flag(asks_frequency),
        states=lambda s, x, t: states_frequency(s.text),
        passage=lambda p, x, t: states_frequency(p.text),
    ),
    # "hoe lang van tevoren": a span before something ("9 maanden voor").
    Shape("lead_time", asks=_flag(asks_lead_time), states=lambda s, x, t: states_lead_time(s.text)),
    # "waarom": a cause ("leidde tot", "doordat"), or the reason before a conclusion.
    Shape("reason", asks=_flag(asks_reason), states=lambda s, x, t: s.gives_reason or states_cause(s.shown)),
    # "welke gemeente", "wie": a name the question does not have.
    Shape(
        "name",
        asks=lambda text, topic, terms: text if asks_name(text) else None,
        states=lambda s, question, t: names_something_new(s.text, question),
    ),
    # "welke organisaties": three or more new names.
    Shape(
        "names",
        asks=lambda text, topic, terms: text if asks_name(text) and asks_list(text) else None,
        states=lambda s, question, t: new_names(s.text, question) >= 3,
    ),
    # "welke stappen", "welke drie maatstaven": several items in a row ("A, B en C").
    Shape("items", asks=_flag(asks_list), states=lambda s, x, t: enumerates(s.text)),
    # "voor welke kinderen", "tot hoe oud": an age (group).
    Shape("age", asks=_flag(asks_age), states=lambda s, x, t: states_age(s.text)),
    # a question naming a year ("in 2022"): sentences about that year.
    Shape(
        "year",
        asks=lambda text, topic, terms: years_named(text) or None,
        states=lambda s, years, t: years <= years_named(s.text),
    ),
    # "sinds wanneer", "in welk jaar": a year.
    Shape("when", asks=_flag(asks_year), states=lambda s, x, t: bool(years_named(s.text))),
)

SHAPE_NAMES = tuple(s.name for s in SHAPES)


def shape(name: str) -> Shape:
    return next(s for s in SHAPES if s.name == name)


def question_asks(text: str, topic: str, terms: Terms) -> tuple[tuple[Shape, Any], ...]:
    """The shapes a question asks for, in table order, each with what it asks."""
    found = ((s, s.asks(text, topic, terms)) for s in SHAPES)
    return tuple((s, asked) for s, asked in found if asked is not None)
