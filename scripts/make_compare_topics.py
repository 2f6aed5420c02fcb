"""Generate eval/topics/compare_topics.jsonl, the labelled topic set on the five seed documents that
fits the compare view's relevance model (scripts/fit_compare_relevance.py; the blind set is never used).

A document is "absent" for a topic when none of the topic's stems (broad synonyms included) occurs in
it, "passing" at one or two occurrences, "addresses" at three or more; the PASSING pairs were checked by
hand. Queries carry frame words on purpose ("hoeveel extra ... nodig", "wat doet ... aan").

    python scripts/make_compare_topics.py
"""

# ruff: noqa: E501
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
docs = {f.name: f.read_text(encoding="utf-8") for f in sorted((ROOT / "corpus").glob("*.txt"))}
T = [
 ("s01", "Wat doen de regio's aan crisiszorg en spoedeisende hulp?", r"crisis|spoed|acute|noodopvang|24/7|24 uur"),
 ("s02", "hoeveel extra pleeggezinnen zijn nodig", r"\bpleeg"),
 ("s03", "welke rol spelen gezinshuizen", r"gezinshuis"),
 ("s04", "jeugd-ggz en psychische problemen bij jongeren", r"ggz|psychisch|psychiatr|geestelijke gezondheid|\bangst|depressi"),
 ("s05", "wat doet de regio aan thuiszitters en schoolverzuim", r"thuiszit|leerplicht|verzuim|thuis zit|schooluitval"),
 ("s06", "hulp voor jongeren met een licht verstandelijke beperking", r"lvb|verstandelijk"),
 ("s07", "hoe werken de wijkteams en jeugd- en gezinsteams", r"wijkteam|gezinsteam|toegangsteam|lokale team|sociaal team|jeugdteam"),
 ("s08", "inzet van ervaringsdeskundigen", r"ervaringsdeskund"),
 ("s09", "jeugdhulp voor vluchtelingen en statushouders", r"vluchteling|statushouder|asiel|nieuwkomer|migra"),
 ("s10", "begeleiding van zwangere tienermoeders", r"zwanger|prenata|tienermoeder|kraam"),
 ("s11", "welke risico's hebben social media en gamen voor jongeren", r"social media|online|internet|gamen|beeldscherm|smartphone"),
 ("s12", "dakloze jongeren en huisvesting", r"dakloos|dakloze|zwerf|woonruimte|huisvesting voor"),
 ("s13", "hoeveel jeugdhulp wordt via een persoonsgebonden budget geleverd", r"pgb|persoonsgebonden"),
 ("s14", "wie regelt het vervoer naar de jeugdhulp", r"vervoer|taxi"),
 ("s15", "ondersteuning van mantelzorgers", r"mantelzorg|respijt"),
 ("s16", "welke rol spelen sportverenigingen", r"\bsport"),
 ("s17", "vergoeding van dyslexiezorg", r"dyslex"),
 ("s18", "wat doet de gemeente aan armoede en schulden in gezinnen", r"armoede|schulden|minima"),
 ("s19", "hulp aan kinderen bij een echtscheiding", r"\b(?:echt|vecht)?scheiding|gescheiden"),
 ("s20", "praktijkondersteuners jeugd bij de huisarts", r"praktijkondersteun|\bpoh"),
 ("s21", "de landelijke hervormingsagenda jeugd", r"hervormingsagenda|hervorming"),
 ("s22", "kinderopvang en voorschoolse educatie", r"kinderopvang|voorschool|peuter|\bvve\b"),
 ("s23", "inkoop via open house", r"open house"),
 ("s24", "hoe worden de tarieven voor aanbieders bepaald", r"tarief|tarieven|kostprijs"),
 ("s25", "personeelstekort in de jeugdzorg", r"personeel|arbeidsmarkt|krapte"),
 ("s26", "Veilig Thuis en huiselijk geweld", r"veilig thuis|huiselijk geweld|kindermishandeling|meldcode"),
 ("s27", "privacy en de AVG bij het delen van gegevens", r"privacy|\bavg\b"),
 ("s28", "radicalisering van jongeren", r"radicali|extremis"),
 ("s29", "wat is een ecogram", r"ecogram|genogram"),
 ("s30", "asdf qwerty", r"asdf|qwerty"),
 ("s31", "???", r"(?!x)x"),
 ("s32", "de rol van de jeugdgezondheidszorg en het consultatiebureau", r"jeugdgezondheidszorg|\bjgz\b|consultatiebureau|jeugdarts|jeugdverpleegkundige"),
]
# Checked by hand: these documents mention part of a two-part topic (housing, the huisarts, inkoop,
# social media as a channel) without its core, so they are "passing", not "absent".
PASSING = {("s12", "001"), ("s20", "000"), ("s20", "003"), ("s20", "004"), ("s23", "000"), ("s23", "001"),
           ("s11", "004")}
SENT = re.compile(r"[^.!?\n]*(?:[.!?]|\n)")
out = []
for tid, q, pat in T:
    r = re.compile(pat, re.I)
    labels = {}
    for doc, text in docs.items():
        n = len(r.findall(text))
        if n == 0 and (tid, doc[:3]) in PASSING:
            labels[doc] = {"status": "passing", "quote": ""}
        elif n == 0:
            labels[doc] = {"status": "absent", "quote": ""}
        else:
            s = next(m.group(0).strip() for m in SENT.finditer(text) if r.search(m.group(0)))
            labels[doc] = {"status": "addresses" if n >= 3 else "passing", "quote": " ".join(s.split())[:300]}
    out.append({"id": tid, "query": q, "docs": labels})
with open(ROOT / 'eval' / 'topics' / 'compare_topics.jsonl', 'w', encoding='utf-8') as fh:
    for o in out:
        fh.write(json.dumps(o, ensure_ascii=False) + "\n")
for o in out:
    print(o['id'], o['query'][:40], ' '.join(v['status'][:2] for v in o['docs'].values()))
