"""Dutch language knowledge of the index and query side, in one place: word lists, number words,
time units, list markers, caption words, folding and the word regexes.

Modules build their patterns from these lists, so a word list is changed here. The lists differ
on purpose where their users differ (a time span is "twaalf weken", never "elf weken", in these
documents; an age runs to "drieëntwintig"): each list says what it is for. ingest/ keeps copies of
some of them (see the report of issue 15).
"""

from __future__ import annotations

import re
import unicodedata

# ---- words ------------------------------------------------------------------------------------

# Letters and digits ("_" is a \w character but only ever glues junk like "_bookmark3"), plus
# combining accents so decomposed (NFD) text such as "e\u0301" stays inside its word. The analysis
# pipeline (index terms, query terms, highlights) finds words with this one.
TOKEN_WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f])*")
# Any run of word characters: for counting words and matching names.
WORD = re.compile(r"\w+")
# A word as typed, hyphens and apostrophes included ("Zuid-Holland", "regio's").
SURFACE_WORD = re.compile(r"[\w'’-]+")
# Lower-case Latin words, for telling English from Dutch.
LATIN_WORD = re.compile(r"[a-zà-ÿ]+")


def fold(text: str) -> str:
    """Lowercase without diacritics, for matching names typed any way (NFKD)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def strip_accents(text: str) -> str:
    """The text without diacritics, case kept, recomposed (NFC): OCR variants like "Financiéle" meet
    "Financiële" once both are folded."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


STOPWORDS: frozenset[str] = frozenset(
    """
aan aangezien achter af al alle allebei alleen alles als alsof altijd ander andere anders
ben bent bij bijna binnen boven buiten daar daarbij daardoor daarin daarmee daarna daarnaast
daarom daarop daarover daarvan daarvoor dan dat de deze die dit doch doen door dus een eens
eer en enig enige enkel enkele er erg ergens eveneens evenals geen gehad geweest haar had
hadden heb hebben hebt heeft hem hen het hier hierbij hierin hiermee hiervan hiervoor hij hoe
hoeveel hoewel hun iemand iets ik in is ja je jij jou jouw jullie kan kon konden kun kunnen
kunt laat later maar me meer men met mij mijn mijzelf moet moeten mocht mochten mogen na naar
nee niet niets nog nu of om omdat onder ons onze ook op opdat over reeds rond sinds te tegen
ten ter terwijl toch toe tot tussen u uit uw van veel voor vooral vroeg waar waaraan waarbij
waardoor waarin waarmee waarom waarop waarover waarvan waarvoor wanneer want waren was wat
we wel welk welke werd werden wie wij wil wilde willen word wordt worden zal ze zei zelf zich
zij zijn zo zoals zodat zonder zou zouden zulk zullen
""".split()
)

# Function words that are English but not Dutch ("is", "in", "over" are both, so they do not count).
ENGLISH_WORDS = frozenset(
    "the a an and to which what who whom whose how why when where does do did with for on by from that this "
    "these those their there has have had be been can could should would are was were its it many much".split()
)
# Spelled the same in both languages: evidence for neither.
SHARED_WORDS = frozenset("in of is over we me was had al be hem".split())

# ---- compounds --------------------------------------------------------------------------------

# Frequent Dutch youth-care policy words, the seed vocabulary of compound parts.
CURATED_PARTS: frozenset[str] = frozenset(
    """
aanbieder aanbod aanpak afspraak ambtenaar analyse arts basis begeleiding behandeling beheer
beleid beperking bescherming bestuur budget bureau casus centrum client coach contract
coordinatie coordinator crisis dienst diagnostiek doel doelgroep expert expertise financiering
functie gebruik gedrag gemeente gezin gezondheid groep hulp huis huisarts inkoop instelling
jeugd jeugdhulp jongere kader keten kind kinder klas kosten kwaliteit leerling leerplicht
lijst medewerker middel model monitor netwerk onderwijs onderzoek opvang organisatie ouder
overleg partner plaatsing plan plicht preventie probleem problematiek proces professional
programma project raad regie regio school sport sturing team toegang traject verband
vereniging verblijf verlening verslaving verwijzer verwijzing veiligheid visie voorziening
wacht wachtlijst welzijn werk werker wet wijk woning zorg rol
""".split()
)
# Three-letter words that are common compound heads ("jeugdwet", "regierol"); only allowed last.
SHORT_FINAL_PARTS = frozenset({"wet", "rol"})
# Derivational suffixes and bound forms that look like words but make nonsense parts.
NOT_PARTS = frozenset(
    "heid heden lijk lijke baar bare isch ische schap teit ties atie loos loze zaam zame achtig ende ing ingen "
    "tjes mede".split()
)
# Words that end many non-compounds as a suffix ("belangrijk", "kansrijk"), so never a last part.
NOT_FINAL_PARTS = frozenset({"rijk", "rijke"})
# Linking morphemes between compound parts (-s-, -e-, -en-) and endings of the last part.
COMPOUND_LINKS = ("", "s", "e", "en")
COMPOUND_FINAL_SUFFIXES = ("", "s", "en", "e", "n")

# ---- numbers ----------------------------------------------------------------------------------

# Dutch cardinals written out, two to 99 and the round hundreds and thousands: "drie", "elf",
# "veertig", "eenentwintig", "drieënzestig", "honderd". One pattern serves counts, spans and ages.
_UNIT_WORDS = "twee drie vier vijf zes zeven acht negen".split()
_TEEN_WORDS = "tien elf twaalf dertien veertien vijftien zestien zeventien achttien negentien".split()
_TEN_WORDS = "twintig dertig veertig vijftig zestig zeventig tachtig negentig".split()
CARDINAL = (
    rf"(?:(?:een|één|{'|'.join(_UNIT_WORDS)})(?:en|ën))?(?:{'|'.join(_TEN_WORDS)})"
    rf"|{'|'.join(_TEEN_WORDS)}|{'|'.join(_UNIT_WORDS)}|honderd|duizend"
)
# A number of something ("twee gemeenten", "veertig pleeggezinnen"): "een" is left out, it is an article.
# A share written out ("de helft", "een derde") is no count of things; it answers share questions
# (SHARE_IN_WORDS below).
COUNT_NUMBER = CARDINAL
# The number of a time span ("elf weken", "één jaar").
DURATION_NUMBER = rf"een|één|{CARDINAL}"
# How many times ("twee keer per jaar").
FREQUENCY_NUMBER_WORDS = "een één twee drie vier vijf zes".split()
# Ages ("tussen de zeven en dertien jaar", "tot drieëntwintig jaar").
AGE_NUMBER = rf"nul|een|één|{CARDINAL}"
# How many things a list question asks for ("welke drie maatstaven", "which five municipalities").
LIST_COUNT_WORDS = "twee drie vier vijf zes zeven acht two three four five six".split()


def alternation(words: list[str]) -> str:
    """A regex alternation of words, in their order."""
    return "|".join(words)


# ---- time -------------------------------------------------------------------------------------

# Units of a time span, in the order the duration pattern tries them.
TIME_UNITS = "uur werkdagen dagen dag weken week maanden maand jaren jaar".split()
# Units of a span without a number ("soms moeten ze maanden wachten", "weken lang", "enkele jaren").
VAGUE_TIME_UNITS = "dagen weken maanden jaren".split()
VAGUE_QUANTIFIERS = "enkele een paar vele meerdere ruim bijna soms zelfs".split()
VAGUE_SPAN_VERBS = "lang wachten wacht wachtten duren duurt duurde".split()
# "binnen hoeveel tijd": any number of hours, days or weeks is one of time.
TIME_WORDS = frozenset({"tijd", "termijn", "periode", "duur"})

# ---- text structure ---------------------------------------------------------------------------

# A list item's marker at the start of a line or unit: "3. ", "2) ", "- ", "• ".
LIST_ITEM = re.compile(r"\s*(?:\d{1,2}[.)]|[-•·*›])\s")
# "3. Kijk naar het hele gezin", "2) ...": the number of a list item, not a number of anything.
NUMBERED_ITEM = re.compile(r"^\s*\d{1,2}[.)](?!\d)", re.MULTILINE)
# Words that open a figure or table caption ("Figuur 2.1 Ontwikkeling ...").
CAPTION_WORDS = "figuur tabel grafiek afbeelding figure table".split()
# Words before the number of a part of the text ("segment 4", "hoofdstuk 3", "bijlage 2").
REFERENCE_WORDS = "segment hoofdstuk paragraaf bijlage figuur tabel pagina blz artikel lid fase stap".split()

# ---- what numbers count -----------------------------------------------------------------------

# Words that count the same thing in these documents: a question about "kinderen" is answered by a
# sentence about "jeugdigen".
PEOPLE_WORDS = "kind kinderen jongere jongeren jeugdige jeugdigen minderjarigen cliënten leerlingen personen".split()
FAMILY_WORDS = "gezin gezinnen huishouden huishoudens ouders".split()
PROVIDER_WORDS = "aanbieder aanbieders zorgaanbieders jeugdhulpaanbieders organisaties instellingen".split()
SHARE_WORDS = "procent percentage aandeel helft kwart".split()
MONEY_WORDS = "geld bedrag bedragen euro budget kosten middelen miljoen tarief".split()
# A share given in words; "het aandeel" or "het percentage" alone names a share without giving one.
SHARE_IN_WORDS = "helft kwart derde procent".split()
# A share written out as a fraction ("een derde", "twee derde", "de helft", "driekwart"): a share as
# surely as "%", whatever other words the sentence has.
FRACTION = r"\b(?:(?:een|één|twee|drie|vier)\s+(?:derde|vijfde|tiende)|de\s+helft|(?:een|drie)\s*kwart)\b"

# ---- the frame of a question ------------------------------------------------------------------

# Words that frame a question rather than name its topic, by class. "Hoeveel extra pleeggezinnen
# zijn nodig" is about pleeggezinnen: a passage that says "extra" or "nodig" is no closer to it.
# Query side only (the compare view's relevance and its content-word vector); STOPWORDS above
# are the words no side indexes.
FRAME_WORD_CLASSES: dict[str, frozenset[str]] = {
    # What kind of answer is asked for.
    "question": frozenset("hoe hoeveel welk welke wat wie waar wanneer waarom waardoor waarmee hoelang".split()),
    # How much of something: degree and quantity words with no topic of their own.
    "quantity": frozenset(
        "extra meer minder veel weinig aantal aantallen hoeveelheid nodig noodzakelijk genoeg voldoende "
        "groot grote klein kleine nieuw nieuwe".split()
    ),
    # Verbs of doing, having and being that any policy topic takes.
    "action": frozenset(
        "doe doen doet deed gaan gaat ging omgaan gaan om spelen speelt regelen regelt geregeld geven geeft "
        "krijgen krijgt maken maakt zorgen zorgt staan staat komen komt zien ziet vinden vindt kunnen "
        "moeten willen bepalen bepaalt betekent betekenen verstaan verstaat inzetten zet zetten ingezet".split()
    ),
    # The comparison itself: who is compared, and how.
    "comparison": frozenset(
        "regio regio's verschillende verschil verschillen elk elke ieder iedere onderling onderlinge "
        "rol rollen manier manieren aanpak".split()
    ),
}
FRAME_WORDS: frozenset[str] = frozenset().union(*FRAME_WORD_CLASSES.values())


def is_content_word(word: str) -> bool:
    """A word that can name the topic of a question: neither a stopword nor a frame word."""
    w = word.lower().strip("'’-")
    return bool(w) and w not in STOPWORDS and w not in FRAME_WORDS


def content_words(text: str) -> list[str]:
    """The words of a question that name its topic, in their order ("hoeveel extra pleeggezinnen
    zijn nodig" -> ["pleeggezinnen"]); numbers and punctuation are no content."""
    return [w for w in SURFACE_WORD.findall(text) if is_content_word(w) and not w.strip("'’-").isdigit()]
