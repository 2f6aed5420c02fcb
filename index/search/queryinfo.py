"""What a question looks like, before any search: its language and the kind of answer it wants."""

from __future__ import annotations

import re

from index.dutch import (
    AGE_NUMBER,
    COUNT_NUMBER,
    DURATION_NUMBER,
    ENGLISH_WORDS,
    FREQUENCY_NUMBER_WORDS,
    LATIN_WORD,
    LIST_COUNT_WORDS,
    NUMBERED_ITEM,
    REFERENCE_WORDS,
    SHARED_WORDS,
    STOPWORDS,
    TIME_UNITS,
    TIME_WORDS,
    VAGUE_QUANTIFIERS,
    VAGUE_SPAN_VERBS,
    VAGUE_TIME_UNITS,
    WORD,
    alternation,
)

_NUMERIC = re.compile(
    r"\b(hoeveel|hoe\s+veel|hoe\s+groot|hoe\s+hoog|welk\s+bedrag|wat\s+kost|percentage|aantal|aandeel|welke?\s+deel|"
    r"how\s+many|how\s+much|what\s+percentage|number\s+of)\b",
    re.IGNORECASE,
)
# "wat is het uurtarief", "wat zijn de kosten": an amount asked for without "hoeveel".
# "welke uurtarieven gelden", "wat kost een dag verblijf": the same, asked with "welke" or "kost".
_AMOUNT = re.compile(
    r"\b(?:wat\s+(?:is|zijn|was|waren)\s+(?:het|de)|welke?)\s+(?:[^\W\d_]+e\s+)?"
    r"([^\W\d_]*(?:tarief|tarieven|bedrag|bedragen|budget|"
    r"kosten|percentage|aandeel))\b|\bwat\s+(kost|kosten)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    rf"\d|\b({COUNT_NUMBER})(tal|en)?\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<![\d.,€])(?:19|20)\d\d(?![\d.,]\d)")
# "24-uurshulp", "1Gezin1Plan1Regisseur", "GGZ2": a number inside a name or a compound.
# "segment 4", "hoofdstuk 3", "bijlage 2": the number of a part of the text, not a count.
_REFERENCE_NUMBER = re.compile(
    rf"\b(?:{alternation(REFERENCE_WORDS)})\.?\s+\d+(?:\.\d+)*",
    re.IGNORECASE,
)
_NUMBER_IN_WORD = re.compile(r"\b\d+-?[^\W\d_]{2,}\w*|\b[^\W\d_]+\d+\w*")
# "hoeveel kinderen", "het aantal jeugdhulpcliënten", "hoe groot is het innovatiebudget": the counted thing;
# "percentage", "welk deel": a share.
_QUANTITY_SUBJECT = re.compile(
    r"\b(?:(percentage|aandeel|welke?\s+deel)|"
    r"(?:hoeveel|hoe\s+veel|aantal|hoe\s+(?:groot|hoog)\s+(?:is|was|zijn|waren))\s+"
    r"(?:(?:het|de|een)\s+(?:[^\W\d_]+e\s+(?=[^\W\d_]{4}))?)?([^\W\d_][\w-]*))",  # "het totale tekort": the noun
    re.IGNORECASE,
)


_DURATION_QUESTION = re.compile(
    r"\b(hoe\s+snel|hoe\s+lang|binnen\s+(?:hoeveel|welke)\s+(?:tijd|termijn|dagen|weken|uur)|"
    r"hoeveel\s+(?:tijd|uur|dagen|weken|maanden|jaar)|hoe\s+(?:ver|lang|vroeg)\s+van\s*tevoren|"
    r"how\s+soon|how\s+quickly|how\s+long|how\s+far\s+in\s+advance|how\s+many\s+(?:days|weeks|months|years)|"
    r"within\s+how|looptijd)\b",
    re.IGNORECASE,
)
_DURATION = re.compile(
    rf"\b(?:\d+|{DURATION_NUMBER})\s+"
    rf"(?:{alternation(TIME_UNITS)})\b",
    re.IGNORECASE,
)
# A span without a number: "maanden wachten", "weken lang", "enkele jaren".
_VAGUE_DURATION = re.compile(
    rf"\b(?:{alternation(VAGUE_TIME_UNITS)})\s+(?:{alternation(VAGUE_SPAN_VERBS)})\b"
    rf"|\b(?:{alternation(VAGUE_QUANTIFIERS + VAGUE_SPAN_VERBS)})\s+(?:{alternation(VAGUE_TIME_UNITS)})\b",
    re.IGNORECASE,
)
# "hoe vaak", "how often": a frequency ("twee maal per jaar", "jaarlijks", "elk kwartaal").
_FREQUENCY_QUESTION = re.compile(
    r"\b(?:hoe\s+vaak|hoe\s+regelmatig|hoe\s+frequent|met\s+welke\s+(?:frequentie|regelmaat)|"
    r"hoeveel\s+(?:keer|maal)|how\s+often|how\s+frequently|how\s+many\s+times)\b",
    re.IGNORECASE,
)
_FREQUENCY = re.compile(
    rf"\b(?:(?:\d+|{alternation(FREQUENCY_NUMBER_WORDS)})\s*(?:keer|maal|x)\s+(?:per|in\s+het|in\s+de)\b|"
    r"(?:een|twee|drie|vier)maal\b|(?:half|drie|twee)?(?:jaarlijks|maandelijks)\w*|wekelijks\w*|dagelijks\w*|"
    r"(?:elk|elke|ieder|iedere)\s+(?:jaar|halfjaar|maand|week|kwartaal|dag)\b|per\s+kwartaal\b|eens\s+per\b)",
    re.IGNORECASE,
)
# "sinds wanneer", "in welk jaar", "since when", a question opening with "wanneer": a year. Inside a
# question "wanneer" is as often "if" ("... betalen wanneer hun kind jeugdhulp krijgt").
_WHEN_QUESTION = re.compile(
    r"\b(?:(?:sinds|vanaf|tot|per)\s+wanneer|^\s*wanneer|in\s+welk\s+jaar|since\s+when|in\s+what\s+year|"
    r"^\s*when\s+(?:did|was|were|will|has|have))\b",
    re.IGNORECASE,
)
# "hoe lang van tevoren", "how far in advance": a span before something ("9 maanden voor ingangsdatum").
_LEAD_QUESTION = re.compile(r"\b(?:van\s*tevoren|vooraf|voorafgaand|in\s+advance|how\s+long\s+before)\b", re.IGNORECASE)
_LEAD = re.compile(_DURATION.pattern + r"\s+(?:voor|vóór|voorafgaand\s+aan|before|prior\s+to)\b", re.IGNORECASE)
# "leidde tot", "doordat", "omdat": a sentence giving a cause or an effect.
_CAUSE = re.compile(
    r"\b(?:omdat|doordat|daardoor|(?:leidde|leidt|leiden)\s+(?:\w+\s+){0,2}tot|zorgde\s+voor|zorgt\s+voor|"
    r"als\s+gevolg\s+van|vanwege|de\s+reden|oorzaak)\b",
    re.IGNORECASE,
)
_NAME_QUESTION = re.compile(
    r"\b(?:welke\s+(?:gemeenten?|organisaties?|aanbieders?|instellingen?|partij(?:en)?)|wie|"
    r"which\s+(?:municipalit\w+|provider\w*|organi[sz]ation\w*)|who)\b",
    re.IGNORECASE,
)
# "welke stappen", "welke drie maatstaven", "which providers": several things are asked for.
_LIST_QUESTION = re.compile(
    rf"\b(?:welke|which|what\s+are)\s+(?:(?:{alternation(LIST_COUNT_WORDS)})\s+\w+|"
    r"\w+(?:en|s|'s|ia)\b)",
    re.IGNORECASE,
)
# "tot hoe oud", "voor welke kinderen is ... bedoeld", "up to what age": an age or an age group.
_AGE_QUESTION = re.compile(
    r"\b(?:hoe\s+oud|leeftijd\w*|welke\s+doelgroep|"
    r"voor\s+welke\s+(?:kinderen|jongeren|jeugdigen|leerlingen|doelgroep|groep)|"
    r"what\s+age|how\s+old|for\s+which\s+(?:children|young\s+people|pupils))\b",
    re.IGNORECASE,
)
_AGE_NUMBER = rf"(?:\d{{1,2}}|{AGE_NUMBER})"
_AGE = re.compile(
    rf"\b{_AGE_NUMBER}\s*(?:-|–|tot|t/m|en)\s*{_AGE_NUMBER}\s*(?:jaar|jarigen)\b|"
    rf"\b(?:tot|vanaf|onder|boven|t/m|jonger\s+dan|ouder\s+dan)\s+(?:de\s+leeftijd\s+van\s+)?{_AGE_NUMBER}\s+jaar\b|"
    rf"\btussen\s+(?:de\s+)?{_AGE_NUMBER}\s+en\s+{_AGE_NUMBER}\s+jaar\b|"
    r"\bleeftijd\s+(?:van\s+)?\d{1,2}\s*[-–]\s*\d{1,2}\b|\b\d{1,2}[-\s]?(?:jarigen|plussers)\b|\b1[78]\+",
    re.IGNORECASE,
)
_REASON = re.compile(r"\b(waarom|om welke reden|wat is de reden|why)\b", re.IGNORECASE)
# "wat is X", "wat betekent X", "wat wordt (...) bedoeld met X", "wat houdt X in": X is what is defined.
_DEFINITION = (
    re.compile(r"^\s*wat\s+(?:is|zijn|betekent|betekenen)\s+(?P<term>.+)", re.IGNORECASE),
    re.compile(r"^\s*wat\b.*?\b(?:bedoeld\s+met|verstaan\s+onder|betekenis\s+van)\s+(?P<term>.+)", re.IGNORECASE),
    re.compile(r"^\s*wat\s+houdt\s+(?P<term>.+?)\s+in\b", re.IGNORECASE),
    re.compile(r"^\s*waar\s+staat\s+(?P<term>.+?)\s+voor\b", re.IGNORECASE),
)
# Where the term ends and the question's context begins ("... bij het bepalen van ...").
_TERM_END = re.compile(r"\s+(?:bij|binnen|in|tijdens|volgens)(?:\s.*)?$|\s*[?.!]+\s*$", re.IGNORECASE)
_TERM_LEAD = re.compile(r"^(?:het\s+begrip|de\s+term|het\s+woord)\s+", re.IGNORECASE)


def is_english(query: str) -> bool:
    """English questions lean on the multilingual dense side: BM25 and term coverage are Dutch."""
    words = LATIN_WORD.findall(query.lower())
    english = sum(w in ENGLISH_WORDS for w in words)
    dutch = sum(w in STOPWORDS and w not in ENGLISH_WORDS and w not in SHARED_WORDS for w in words)
    return english > dutch


def wants_number(query: str) -> bool:
    """'Hoeveel ...?' asks for a number: an answer sentence without one is probably not the answer."""
    return bool(_NUMERIC.search(query) or _AMOUNT.search(query))


def asks_duration(query: str) -> bool:
    """'Hoe snel / binnen hoeveel tijd ...?' asks for a time span ("binnen 24 uur", "acht jaar")."""
    return bool(_DURATION_QUESTION.search(query))


def states_duration(text: str) -> bool:
    """The text gives a time span ("binnen 24 uur", "voor 8 jaren"); an age ("0-18 jaar") is none."""
    text = _AGE.sub(" ", text)
    return bool(_DURATION.search(text) or _VAGUE_DURATION.search(text))


def asks_frequency(query: str) -> bool:
    """'Hoe vaak ...?' asks for a frequency: a sentence that only says *that* something happens is no answer."""
    return bool(_FREQUENCY_QUESTION.search(query))


def states_frequency(text: str) -> bool:
    """The text says how often ("twee maal per jaar", "jaarlijks", "elk kwartaal")."""
    return bool(_FREQUENCY.search(text))


def asks_year(query: str) -> bool:
    """'Sinds wanneer / in welk jaar ...?' asks for a year."""
    return bool(_WHEN_QUESTION.search(query))


def years_named(text: str) -> frozenset[str]:
    """The years a text names ("in 2022", "2023-2026")."""
    return frozenset(_YEAR.findall(text))


def asks_lead_time(query: str) -> bool:
    """'Hoe lang van tevoren ...?' asks for a span before something, not for any span."""
    return bool(_LEAD_QUESTION.search(query))


def states_lead_time(text: str) -> bool:
    """The text gives a span before something ("altijd 9 maanden voor ingangsdatum van contract")."""
    return bool(_LEAD.search(text))


def asks_age(query: str) -> bool:
    """'Tot hoe oud / voor welke kinderen is X bedoeld ...?' asks for an age or an age group."""
    return bool(_AGE_QUESTION.search(query))


def states_age(text: str) -> bool:
    """The text gives an age or age range ("tussen de zeven en dertien jaar", "0-18 jaar", "tot 21 jaar")."""
    return bool(_AGE.search(text))


def asks_name(query: str) -> bool:
    """'Welke gemeente / wie / which provider ...?' asks for a name (of a municipality, an organisation)."""
    return bool(_NAME_QUESTION.search(query))


def asks_list(query: str) -> bool:
    """'Welke stappen / welke drie maatstaven ...?' asks for several things: a plural after "welke"."""
    return bool(_LIST_QUESTION.search(query))


def names_something_new(text: str, query: str) -> bool:
    """The text names something the question does not: a capitalised word after its first word."""
    return new_names(text, query) > 0


def new_names(text: str, query: str) -> int:
    """How many different capitalised words after its first word the text has that the question has not."""
    asked = {w.lower() for w in WORD.findall(query)}
    return len({w for w in WORD.findall(text)[1:] if w[0].isupper() and w.lower() not in asked})


def asks_reason(query: str) -> bool:
    """'Waarom ...?' asks for a reason, which a text gives before its conclusion ("daarom ...")."""
    return bool(_REASON.search(query))


def states_cause(text: str) -> bool:
    """The text gives a cause or its effect ("... leidde tot stroperige besluitvorming")."""
    return bool(_CAUSE.search(text))


def defined_term(query: str) -> str | None:
    """What a Dutch definition question asks about ("wat is een verklarende analyse" -> "een
    verklarende analyse"), or None. A text defines a term where it first mentions it."""
    for pattern in _DEFINITION:
        m = pattern.match(query)
        if m is None:
            continue
        term = _TERM_LEAD.sub("", _TERM_END.sub("", m.group("term").strip())).strip()
        if term and not term.lower().startswith("de reden"):
            return term
        return None
    return None


def has_number(text: str) -> bool:
    """Whether a text gives a number of something; a year ("in 2022"), a list item's number
    ("3. Kijk naar ..."), a part of the text ("segment 4") or a number inside a word
    ("24-uurshulp") gives none."""
    for pattern in (NUMBERED_ITEM, _REFERENCE_NUMBER, _NUMBER_IN_WORD, _YEAR):
        text = pattern.sub(" ", text)
    return bool(_NUMBER.search(text))


def quantity_subject(query: str) -> str | None:
    """The word for what a 'hoeveel' question counts ("hoeveel fte ..." -> "fte", "wat is het
    uurtarief" -> "uurtarief"), or None.

    An answer that gives a number of something else ("€ 2,7 miljoen" for "hoeveel fte") does
    not answer it.
    """
    m = _QUANTITY_SUBJECT.search(query)
    if m is not None:
        word = "percentage" if m.group(1) else m.group(2).lower()  # a share: "%", "de helft"
    elif (amount := _AMOUNT.search(query)) is not None:
        word = (amount.group(1) or "kosten").lower()
    else:
        return None
    # "binnen hoeveel tijd": any number of hours, days or weeks is one of time.
    return None if word in STOPWORDS or word in TIME_WORDS else word
