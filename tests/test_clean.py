"""ingest.clean: one test per quirk of the source texts (see the shared seed-quirks notes).

Snippets are copied verbatim from corpus/*.txt. Every test also checks, through
`segment`, that each block's runs are verbatim copies of the original.
"""

from __future__ import annotations

import pytest

from beleidszoeker.config import get_settings
from ingest.clean import BLOCK_KINDS, Block, segment_text, slice_mapped, strip_mapped


def segment(text: str) -> list[Block]:
    blocks = segment_text(text)
    for b in blocks:
        assert b.kind in BLOCK_KINDS
        assert b.text == b.text.strip() and b.text
        assert (b.level > 0) == (b.kind == "heading")
        for c, o, n in b.mapped.runs:
            assert b.text[c : c + n] == text[o : o + n]
    return blocks


def kinds(blocks: list[Block]) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in blocks]


def texts(blocks: list[Block]) -> str:
    return "\n".join(b.text for b in blocks)


def corpus_blocks(prefix: str) -> list[Block]:
    path = next(get_settings().corpus_dir.glob(f"{prefix}_*.txt"))
    return segment(path.read_bytes().decode("utf-8"))


# --- residue ---------------------------------------------------------------------------


def test_bookmark_marker_deleted_and_marks_a_numbered_heading() -> None:
    text = (
        " 1. [bookmark: _bookmark0]Inleiding\n\nVoor u ligt het Programmaplan Jeugdhulpaanbod Duin- en "
        "Bollenstreek (hierna: programmaplan)."
    )
    blocks = segment(text)
    assert kinds(blocks) == [
        ("heading", "1. Inleiding"),
        ("paragraph", "Voor u ligt het Programmaplan Jeugdhulpaanbod Duin- en Bollenstreek (hierna: programmaplan)."),
    ]
    assert blocks[0].level == 1


def test_image_line_dropped_and_bookmark_line_is_heading() -> None:
    text = (
        "In onderstaande afbeelding is schematisch weergegeven hoe het programmaplan en het inkoopplan zich "
        "tot elkaar verhouden.\n[image: Grafiek inkoop jeugdhulp ]\n [bookmark: _bookmark4]Afbakening\n"
        "Dit programmaplan richt zich op alle vormen van specialistische hulp die onder de Jeugdwet vallen."
    )
    blocks = segment(text)
    assert [b.kind for b in blocks] == ["paragraph", "heading", "paragraph"]
    assert blocks[1].text == "Afbakening"
    assert "[image" not in texts(blocks) and "Grafiek" not in texts(blocks)


def test_table_of_contents_and_its_heading_dropped() -> None:
    text = (
        "## Inhoud\n\nVoorwoord .....\t2\nInleiding .....\t3\nIntroductie op visie en leidende principes .....\t5\n"
        "<b>Leidende Principes</b> .....\t10\n1. De jeugdige in zijn/haar omgeving staat centraal.....\t11\n"
        "2. Normaliseren is uitgangspunt .....\t14\n3. Ondersteuning zo licht en zo nabij als mogelijk, zo zwaar "
        "en specialistisch als nodig 17\t\n4. Thuis, tenzij... ..\t20\n5. In Twente kennen we een "
        "overzichtelijk zorglandschap, effectief en beheersbaar\t22\n6. In Twente werken wij zonder "
        "wachtlijsten .....\t27\n7. Wij investeren in blijvend leren en verbeteren, data gedreven .....\t29\n"
        "8. Het stelsel van Jeugdhulp is duurzaam en betaalbaar .....\t31\nBegrippenlijst.....\t35\n\n"
        "*Op de voorpagina staat een citaat van een jongere uit Twente die geraadpleegd is tijdens het traject "
        "van totstandkoming van deze regiovisie.*\n\n## Voorwoord\n\nDeze mooie zin staat op de voorpagina."
    )
    blocks = segment(text)
    assert kinds(blocks)[0] == (
        "paragraph",
        "Op de voorpagina staat een citaat van een jongere uit Twente die geraadpleegd is tijdens het traject "
        "van totstandkoming van deze regiovisie.",
    )
    assert ("heading", "Voorwoord") in kinds(blocks)
    joined = texts(blocks)
    assert "....." not in joined and "Inhoud" not in joined and "Begrippenlijst" not in joined


def test_linkedin_residue_dropped_and_link_text_kept() -> None:
    text = (
        "Benieuwd wat er uit de sessie met de jongeren kwam?\n\n<https://lnkd.in/guRfUwJn>\n\n"
        "[See translation](#)\n\n\n\nDit willen jongeren voor de Jeugdhulp in Twente\n\njarabee.nl · 2 min read"
        "\n\nYou and 31 others\n\n5 comments\n\nBericht op [LinkedIn](#) door Jarabee op 18 oktober 2021.\n\n"
        "# Inleiding"
    )
    blocks = segment(text)
    joined = texts(blocks)
    for residue in ("See translation", "You and 31 others", "5 comments", "min read", "(#)", "<https"):
        assert residue not in joined
    assert "https://lnkd.in/guRfUwJn" in joined
    assert ("paragraph", "Bericht op LinkedIn door Jarabee op 18 oktober 2021.") in kinds(blocks)


def test_markdown_emphasis_and_html_removed() -> None:
    text = (
        "### 3. Ondersteuning zo licht en zo nabij als mogelijk, zo zwaar en specialistisch als nodig\n\n\n\n"
        "Als jeugdhulp nodig is moet deze ook passend, beschikbaar en betaalbaar zijn. *Ondersteuning moet zo "
        "licht en zo nabij als mogelijk zijn, zo zwaar en specialistisch als nodig.* Bij het afwegen van de "
        "mate van ondersteuning die nodig is, speelt de toegang tot de jeugdhulp een belangrijke en "
        "regievoerende rol.\n\n# OZJT/Samen<sup>14</sup>\n\nTWENTSE SAMENWERKING OP HET GEBIED VAN ZORG EN "
        "JEUGDHULP"
    )
    blocks = segment(text)
    joined = texts(blocks)
    assert "*" not in joined and "<sup>" not in joined and "#" not in joined
    assert "betaalbaar zijn. Ondersteuning moet zo licht" in joined
    assert "OZJT/Samen 14" in joined


def test_lines_with_a_single_space_or_nbsp_are_blank() -> None:
    text = (
        "Welke ontwikkelopgave zien we?\n\n\xa0\n\nSamen leren, ontwikkelen én implementeren: ontwikkelopgave\n\n"
        "We verbeteren het implementeren van verandering/verbetering. Hiervoor gebruiken we de bestaande "
        "overlegstructuur."
    )
    blocks = segment(text)
    assert [b.kind for b in blocks] == ["heading", "heading", "paragraph"]
    assert blocks[1].level > blocks[0].level  # an empty generic heading nests the next one
    twente = (
        "# 1. De jeugdige in zijn/haar omgeving staat centraal\n\n \nDit leidend principe - jongeren staan centraal."
    )
    assert [b.kind for b in segment(twente)] == ["heading", "paragraph"]


def test_trailing_double_spaces_join_lines() -> None:
    text = (
        "*“Iedereen heeft het recht  \nhet weer op de rit te  \nkrijgen. Geef ons  \ntoekomstperspectief en  \n"
        "help ons die te organiseren  \nmet tools, training, hulp en  \nnazorg.”*"
    )
    assert kinds(segment(text)) == [
        (
            "paragraph",
            "“Iedereen heeft het recht het weer op de rit te krijgen. Geef ons toekomstperspectief en help ons "
            "die te organiseren met tools, training, hulp en nazorg.”",
        )
    ]


def test_logo_residue_dropped() -> None:
    text = "14 september 2021\n\n\n\nEN >\n> VED\nDER >\n\nGroeibeweging\nvoor onze\nDrentse jeugd"
    blocks = segment(text)
    assert ">" not in texts(blocks) and "VED" not in texts(blocks)
    assert blocks[-1].text == "Groeibeweging voor onze Drentse jeugd"


def test_blockquote_prefix_removed_from_bold_title() -> None:
    text = "\n\n\n\n> **Samenvatting Regiovisie Jeugd Drenthe**\n\n14 september 2021"
    assert kinds(segment(text)) == [
        ("heading", "Samenvatting Regiovisie Jeugd Drenthe"),
        ("paragraph", "14 september 2021"),
    ]


def test_nbsp_and_tabs_become_single_spaces() -> None:
    text = (
        "Tabel 1: jeugdhulpgebruik naar categorie.\n\n* De cijfers van 2022 zijn voorlopig.\xa0\n\n1.2 Aanbod jeugdhulp"
    )
    joined = texts(segment(text))
    assert "\xa0" not in joined and "voorlopig." in joined
    glossary = "Tijdige jeugdhulp\tJeugdhulp die op tijd wordt ingezet."
    assert texts(segment(glossary)) == "Tijdige jeugdhulp: Jeugdhulp die op tijd wordt ingezet."


# --- repeated headings, footnote numbers, OCR marks -------------------------------------


def test_heading_repeated_twice_kept_once() -> None:
    text = (
        "1 Jeugdhulp in onze regio\n\nJeugdhulp in onze regio\n\nOnze opdracht is het beschikbaar stellen van "
        "alle vormen van jeugdhulp, dichtbij de inwoner en van goede kwaliteit."
    )
    blocks = segment(text)
    assert [(b.kind, b.level, b.text) for b in blocks] == [
        ("heading", 1, "1 Jeugdhulp in onze regio"),
        ("paragraph", 0, blocks[1].text),
    ]
    voorwoord = "Voorwoord\n\nVoorwoord\n\nDeze regiovisie betreft de jeugdregio Samen voor Jeugd."
    assert [b.kind for b in segment(voorwoord)] == ["heading", "paragraph"]


def test_glued_footnote_numbers_removed_without_breaking_numbers() -> None:
    text = (
        "Een uitdaging die de 13 gemeenten1 in Holland Rijnland vanuit hun verantwoordelijkheid samen zijn "
        "aangegaan.\n\n[bookmark: _bookmark1]Totstandkoming programmaplan\nOm de huidige situatie in kaart te "
        "brengen, zijn in het afgelopen half jaar verschillende stappen ondernomen:\n· Het doen van een "
        "marktanalyse (op basis van facturatiegegevens TWO2)\n· Het in kaart brengen van de huidige knelpunten\n\n"
        "De uitkomsten van deze stappen zijn besproken met en getoetst bij aanbieders3, TWO en de bestuurders.\n\n"
        "De regio Holland Rijnland is hierin niet uniek, zo blijkt uit de eerste evaluatie van de Jeugdwet4 en de "
        "vierde jaarrapportage van de Transitie Autoriteit Jeugd (TAJ)5."
    )
    joined = texts(segment(text))
    for fixed in ("13 gemeenten in", "facturatiegegevens TWO)", "aanbieders, TWO", "Jeugdwet en", "(TAJ)."):
        assert fixed in joined


def test_names_with_digits_are_not_footnote_references() -> None:
    text = (
        "  • Cranendonck, Heeze-Leende, Valkenswaard : subregio A2-gemeenten\n\n"
        "Deze samenwerking is formeel vastgelegd in een Dienstverleningsovereenkomst (DVO21). In bijlage B "
        "vindt u een uitgebreide toelichting op de samenwerking van de 21 gemeenten.\n\n"
        "Kwaliteit: de vijf basisfuncties1 voor de toegang moeten op orde zijn."
    )
    joined = texts(segment(text))
    assert "A2-gemeenten" in joined and "(DVO21)" in joined and "de 21 gemeenten" in joined
    assert "vijf basisfuncties voor" in joined


def test_superscript_footnote_numbers_removed() -> None:
    text = (
        "Staat van de Drentse Jeugd\n\nMet de meeste jongeren in Drenthe gaat het goed. Zij voelen zich "
        "gelukkig en ervaren hun gezondheid als goed¹. De geregistreerde jeugdcriminaliteit in Drenthe is minder "
        "dan in andere provincies². Het percentage jeugdigen met jeugdhulp schommelt rond de 11,5%."
    )
    blocks = segment(text)
    assert blocks[1].text == (
        "Met de meeste jongeren in Drenthe gaat het goed. Zij voelen zich gelukkig en ervaren hun gezondheid als "
        "goed. De geregistreerde jeugdcriminaliteit in Drenthe is minder dan in andere provincies. Het "
        "percentage jeugdigen met jeugdhulp schommelt rond de 11,5%."
    )


def test_ocr_footnote_marks_removed() -> None:
    text = (
        "5. In maart 2021 is een onderzoeksrapport verschenen van het Verwey Jonker instituut®\nover de "
        "transformatie van de Jeugdhulp waarbij vijf gemeenten onderzocht zijn.\n\n"
        "Het Jeugd & Gezinsteam gaat niet geisoleerd aan het werk in de wijken. Samenwerken,\nafstemmen en "
        "afspreken wie waarover gaat is belangrijk om snel en effectief basishulp® voor onze\ninwoners te kunnen "
        "bieden.\n\nwerken met huisartsen, jeugdartsen en scholen om te zorgen dat hulpvragen naar Bijeen*\n"
        "worden verwezen."
    )
    joined = texts(segment(text))
    assert "®" not in joined and "*" not in joined
    assert "Verwey Jonker instituut over de transformatie" in joined
    assert "effectief basishulp voor onze inwoners" in joined
    assert "naar Bijeen worden verwezen" in joined


def test_numbers_are_kept_intact() -> None:
    text = (
        "1.1 Gegevens jeugdigen en jeugdhulpgebruik\n\nIn totaal wonen er in de 10 gemeenten van Samen voor Jeugd "
        "ruim 73.000 jeugdigen in de leeftijd van 0-18 jaar. Dit aantal neemt jaarlijks wat af, van 74.170 in "
        "2019 tot 73.500 in 2022.\n\n**16.269**\n\nLandelijke onderzoeken geven aan dat een heel hoog percentage "
        "(tot 80%!) van de ingezette jeugdhulp het probleem niet oplost. Heusden krijgt plusminus € 2,7 miljoen."
    )
    joined = texts(segment(text))
    for number in ("73.000", "0-18", "74.170", "2019", "16.269", "80%!", "€ 2,7 miljoen", "1.1 Gegevens"):
        assert number in joined


# --- footnotes at page breaks, hard line breaks --------------------------------------------


def test_footnote_block_cutting_a_sentence_is_split_off_and_sentence_joined() -> None:
    text = (
        "Dit betekent dat we voor 2021 een integraal programmaplan hebben waarbij er gerichter wordt\n\n"
        "1 Sinds 1 januari 2019 bestaat de regio Holland Rijnland uit 13 gemeenten, te weten: Alphen a/d Rijn, "
        "Hillegom, Kaag en Braassem, Katwijk, Leiden, Leiderdorp, Lisse, Nieuwkoop, Noordwijk, Oegstgeest, "
        "Teylingen, Voorschoten, Zoeterwoude\n2 TWO= Tijdelijke Werkorganisatie, die namens de aangesloten "
        "gemeenten de contracten met de aanbieders beheert.\n3 Zie ook: verslag bijeenkomst aanbieders jeugdhulp "
        "23-09\n\ngestuurd op de maatschappelijke opgaven die we binnen het sociaal domein hebben."
    )
    blocks = segment(text)
    assert [b.kind for b in blocks] == ["paragraph", "footnote"]
    assert blocks[0].text == (
        "Dit betekent dat we voor 2021 een integraal programmaplan hebben waarbij er gerichter wordt gestuurd op "
        "de maatschappelijke opgaven die we binnen het sociaal domein hebben."
    )
    assert blocks[1].text.startswith("1 Sinds 1 januari 2019 bestaat de regio Holland Rijnland uit 13 gemeenten")
    assert blocks[1].text.count("\n") == 2  # three footnotes, one per line


def test_ocr_footnote_at_page_break_is_split_off_and_item_joined() -> None:
    text = (
        "3. We willen integrale ondersteuning bieden die zich richt op de oorzaak van de problemen\nzodat het "
        "gezin snel en op de juiste manier duurzaam wordt geholpen. Ook het Maatpact in de\nregio leert ons welke "
        "mogelijkheden er zijn om problemen echt aan te pakken. Een\n\n4 Bijeen is het netwerk van partijen, dat "
        "in de gemeente Heusden actief is op het terrein van zorg, jeugd, werk en welzijn.\nSamen zorgen zij "
        "ervoor dat iedereen de zorg en ondersteuning krijgt, die nodig is. Bijeen bestaat uit gemeente Heusden "
        "en O3\n(samenwerkingsverband tussen, ContourdeTwern, MEE, Farent en GGD Hart voor Brabant).\n\n\n\n"
        "aandachtspunt hierbij zijn de woonproblemen die in veel van de complexe gevallen een\nwezenlijk onderdeel "
        "vormen.\n\n4. Als het nodig is, willen we dat individuele jeugdhulp snel en effectief ingezet kan worden."
    )
    blocks = segment(text)
    assert [b.kind for b in blocks] == ["list", "footnote"]
    assert "echt aan te pakken. Een aandachtspunt hierbij zijn de woonproblemen" in blocks[0].text
    assert blocks[0].text.splitlines()[1].startswith("4. Als het nodig is")
    assert blocks[1].text.startswith("4 Bijeen is het netwerk van partijen")
    assert "gemeente Heusden en O3 (samenwerkingsverband" in blocks[1].text


def test_garbled_footnote_marker_before_page_break() -> None:
    text = (
        "In 2020 hebben we een breed onderzoek gedaan in Heusden om te onderzoeken hoe we grip en\nsturing kunnen "
        "krijgen in het sociaal domein. Financiéle en inhoudelijke zaken zijn hier beiden in\nmee genomen. "
        "Hieruit zijn 4 actielijnen voortgekomen:\n ! Gemeenten zijn vanaf 2015 verantwoordelijk voor de "
        "jeugdhulp en hebben sinds die tijd meer taken op het\nvlak van langdurig zieken en ouderen.\n\n\n\n"
        "In dit stuk gaan we verder in op de geel gearceerde blokken van actielijn 1."
    )
    blocks = segment(text)
    assert [b.kind for b in blocks] == ["paragraph", "footnote", "paragraph"]
    assert blocks[0].text.endswith("Hieruit zijn 4 actielijnen voortgekomen:")
    assert blocks[1].text == (
        "Gemeenten zijn vanaf 2015 verantwoordelijk voor de jeugdhulp en hebben sinds die tijd meer taken op het "
        "vlak van langdurig zieken en ouderen."
    )


def test_footnote_matching_an_earlier_reference_in_the_document() -> None:
    blocks = corpus_blocks("001")
    notes = [b.text for b in blocks if b.kind == "footnote"]
    assert any(n.startswith("6 Andere delen van deze zorg") for n in notes)
    assert any(n.startswith("7 Concretiseringsagenda") for n in notes)
    assert any("lichamelijke beperking." in b.text for b in blocks if b.kind == "list")


def test_hard_line_breaks_and_blank_lines_inside_sentences_are_joined() -> None:
    text = (
        "In Heusden hebben we net als vele gemeenten in het land een worsteling in het sociaal\ndomein. De "
        "worsteling kent 2 hoofdlijnen. De eerste is de worsteling om grip te krijgen op de\nstijgende kosten en "
        "de tweede is minstens zo belangrijk, de worsteling om op de juiste\n\nmanier hulp en ondersteuning te "
        "bieden zodat problemen voorkomen worden of in een\n\nvroeg stadium opgelost worden.\n\nSinds de transitie "
        "in 2015 zien we een toename van inwoners die een beroep doen op\nmaatschappelijke ondersteuning en een "
        "toenemend aantal jongeren dat in de\n\njeugdhulp belandt."
    )
    assert [b.text for b in segment(text)] == [
        "In Heusden hebben we net als vele gemeenten in het land een worsteling in het sociaal domein. De "
        "worsteling kent 2 hoofdlijnen. De eerste is de worsteling om grip te krijgen op de stijgende kosten en de "
        "tweede is minstens zo belangrijk, de worsteling om op de juiste manier hulp en ondersteuning te bieden "
        "zodat problemen voorkomen worden of in een vroeg stadium opgelost worden.",
        "Sinds de transitie in 2015 zien we een toename van inwoners die een beroep doen op maatschappelijke "
        "ondersteuning en een toenemend aantal jongeren dat in de jeugdhulp belandt.",
    ]


def test_page_break_residue_inside_a_sentence() -> None:
    text = (
        "Omdat het een nieuw team zal zijn, met veelal nieuwe medewerkers, zal de eerste periode vooral\nbestaan "
        "uit leren en ontwikkelen. Het leren en ontwikkelen zal een\n\n\n\npermanent karakter moeten hebben, maar "
        "de tijd en energie zal steeds meer op de inhoudelijke\ncasussen gericht kunnen worden.\n"
    )
    blocks = segment(text)
    assert len(blocks) == 1
    assert "zal een permanent karakter moeten hebben" in blocks[0].text


def test_paragraphs_separated_by_a_single_newline() -> None:
    text = (
        "Een uitdaging die de 13 gemeenten1 in Holland Rijnland vanuit hun verantwoordelijkheid voor het beleid "
        "samen zijn aangegaan.\nOp 1 januari 2021 lopen de huidige inkoopcontracten af. Een nieuwe periode van "
        "contracteren biedt kansen."
    )
    blocks = segment(text)
    assert [b.kind for b in blocks] == ["paragraph", "paragraph"]
    assert blocks[1].text.startswith("Op 1 januari 2021")


# --- lists -------------------------------------------------------------------------------


def test_middle_dot_bullets_with_lead_in_form_one_list() -> None:
    text = (
        "[bookmark: _bookmark1]Totstandkoming programmaplan\nOm de huidige situatie in kaart te brengen, zijn in "
        "het afgelopen half jaar verschillende stappen ondernomen:\n· Het doen van een marktanalyse (op basis van "
        "facturatiegegevens TWO2)\n· Het in kaart brengen van de huidige knelpunten\n· Het in kaart brengen van "
        "ontwikkelpunten"
    )
    blocks = segment(text)
    assert [b.kind for b in blocks] == ["heading", "list"]
    lines = blocks[1].text.split("\n")
    assert lines[0].endswith("verschillende stappen ondernomen:")
    assert lines[1:] == [
        "Het doen van een marktanalyse (op basis van facturatiegegevens TWO2)",
        "Het in kaart brengen van de huidige knelpunten",
        "Het in kaart brengen van ontwikkelpunten",
    ]


def test_numbered_bullets_split_over_lines() -> None:
    text = (
        "Dat is de kern van de regiovisie. De ontwikkelopgaves lichten we in dit hoofdstuk ook toe.\n\n"
        "Leidende principes\n\n  • 1.\n\n    We voorkomen specialistische jeugdhulp door in te zetten op "
        "preventie.\n\n  • 2.\n\n    We werken data-gedreven."
    )
    blocks = segment(text)
    assert kinds(blocks)[1:] == [
        ("heading", "Leidende principes"),
        (
            "list",
            "1. We voorkomen specialistische jeugdhulp door in te zetten op preventie.\n2. We werken data-gedreven.",
        ),
    ]


def test_arrow_bullets_with_emphasised_labels() -> None:
    text = (
        "Zorgvuldigheidseisen inkoop\n\n- › *Tijdige publicatie.* Publicatie van nieuwe inkoopprocedures vanaf "
        "2021 altijd 9 maanden voor ingangsdatum van contract;\n- › *Tijdige afronding inkoopprocedure.* "
        "Contracten zijn drie maanden voor de ingang van contract getekend;"
    )
    assert kinds(segment(text)) == [
        ("heading", "Zorgvuldigheidseisen inkoop"),
        (
            "list",
            "Tijdige publicatie. Publicatie van nieuwe inkoopprocedures vanaf 2021 altijd 9 maanden voor "
            "ingangsdatum van contract;\nTijdige afronding inkoopprocedure. Contracten zijn drie maanden voor de "
            "ingang van contract getekend;",
        ),
    ]


def test_ocr_bullets_are_list_items() -> None:
    text = (
        "Wat moet er voor 1 januari nog gebeuren\n\n¢ Inde eerste plaats gaan we in gesprek met de gemeenteraad en "
        "is er groen licht nodig voor de\nuitvoering van deze verandering.\n\n* In het procesplan dat als losse "
        "bijlage is toegevoegd staat een verdere uitwerking van\nzaken die moeten worden georganiseerd en "
        "ontwikkeld.\n\ne Voor de communicatie richting inwoners en andere doelgroepen wordt een\n"
        "communicatieplan opgesteld.\n Bijlage 1: Opdracht en werkwijze voor het Jeugd &\nGezinsteam: Basishulp"
        "\n\nDe basisopdracht voor het Jeugd & Gezinsteam bestaat uit het geven van basishulp aan\njongeren en hun "
        "gezinnen."
    )
    blocks = segment(text)
    assert [b.kind for b in blocks] == ["heading", "list", "heading", "paragraph"]
    assert blocks[1].text.split("\n") == [
        "Inde eerste plaats gaan we in gesprek met de gemeenteraad en is er groen licht nodig voor de uitvoering "
        "van deze verandering.",
        "In het procesplan dat als losse bijlage is toegevoegd staat een verdere uitwerking van zaken die moeten "
        "worden georganiseerd en ontwikkeld.",
        "Voor de communicatie richting inwoners en andere doelgroepen wordt een communicatieplan opgesteld.",
    ]
    assert (blocks[2].level, blocks[2].text) == (
        1,
        "Bijlage 1: Opdracht en werkwijze voor het Jeugd & Gezinsteam: Basishulp",
    )


def test_registered_sign_and_e_bullets() -> None:
    text = (
        "e  We willen dichtbij huis effectief basishulp bieden aan jongeren en hun gezin zodat\nkinderen gezond en "
        "veilig op kunnen groeien en zich maximaal kunnen ontplooien en\nontwikkelen.\n\n¢ Samen met de bestaande "
        "wijkteams zorgt dit team voor de basishulp voor al onze inwoners.\n\n® In het algemeen zien we ook dat "
        "tevredenheid onder inwoners hoog is."
    )
    blocks = segment(text)
    assert [b.kind for b in blocks] == ["list"]
    assert blocks[0].text.split("\n")[0] == (
        "We willen dichtbij huis effectief basishulp bieden aan jongeren en hun gezin zodat kinderen gezond en "
        "veilig op kunnen groeien en zich maximaal kunnen ontplooien en ontwikkelen."
    )
    assert len(blocks[0].text.split("\n")) == 3


# --- headings ----------------------------------------------------------------------------


def test_numbered_headings_get_levels_from_numbering() -> None:
    text = (
        "2. [bookmark: _bookmark6]Waar staan we nu\n\nMet de decentralisatie van de jeugdtaken stonden gemeenten "
        "in 2015 voor een grote uitdaging.\n\n1.1 Gegevens jeugdigen en jeugdhulpgebruik\n\nIn totaal wonen er in "
        "de 10 gemeenten van Samen voor Jeugd ruim 73.000 jeugdigen."
    )
    headings = [(b.level, b.text) for b in segment(text) if b.kind == "heading"]
    assert headings == [(1, "2. Waar staan we nu"), (2, "1.1 Gegevens jeugdigen en jeugdhulpgebruik")]


def test_adjacent_numbered_headings_are_not_a_list() -> None:
    text = (
        "2 Hoe de regio samenwerkt\n\n2.1 Lokale samenwerking: Meer dan toegang tot jeugdhulp\n\n"
        "Elke gemeente heeft een eigen toegang tot de specialistische jeugdhulp.\n\n"
        "2.2 Regionale samenwerking 10 gemeenten: Samen voor jeugd\n\n"
        "De regio Samen voor Jeugd wordt gevormd door de gemeenten:\n\n  • Eindhoven"
    )
    headings = [(b.level, b.text[:3]) for b in segment(text) if b.kind == "heading"]
    assert headings == [(1, "2 H"), (2, "2.1"), (2, "2.2")]


def test_short_plain_title_lines_are_headings() -> None:
    text = (
        "Staat van de Drentse Jeugd\n\nMet de meeste jongeren in Drenthe gaat het goed.\n\n"
        "Kenmerken Jeugdregio Drenthe\n\nIn Drenthe ontvangen circa 14.000 jeugdigen jeugdhulp."
    )
    assert [b.kind for b in segment(text)] == ["heading", "paragraph", "heading", "paragraph"]


def test_run_in_heading_is_split_from_its_text() -> None:
    text = (
        "[bookmark: _bookmark30]Ontwikkelopgave: Jongeren die niet thuis kunnen wonen krijgen een duurzame en "
        "passende woonvorm Wanneer uitstroom naar huis niet mogelijk is, dan moet het zorgaanbod voldoende "
        "duurzame passende woonplekken bieden. Ook hier wordt voorkomen dat kinderen onnodig overgeplaatst worden."
    )
    blocks = segment(text)
    assert [b.kind for b in blocks] == ["heading", "paragraph"]
    assert blocks[0].text == (
        "Ontwikkelopgave: Jongeren die niet thuis kunnen wonen krijgen een duurzame en passende woonvorm"
    )
    assert blocks[1].text.startswith("Wanneer uitstroom naar huis")


def test_generic_question_headings_nest_under_numbered_section() -> None:
    text = (
        "3.1 We voorkomen specialistische jeugdhulp door in te zetten op preventie\n\nWat willen we bereiken?\n\n"
        "Met een focus op preventie wil de regio de inzet van specialistische jeugdhulp waar mogelijk voorkomen.\n\n"
        "Waar richten we ons op?\n\nHet principe van normaliseren moet meer leidend worden."
    )
    levels = [b.level for b in segment(text) if b.kind == "heading"]
    assert levels == [2, 3, 3]


def test_markdown_levels_of_numbered_principles_are_consistent() -> None:
    text = (
        "# 1. De jeugdige in zijn/haar omgeving staat centraal\n\n \nDit leidend principe - jongeren staan centraal "
        "in hun eigen omgeving - prijkt al jarenlang bovenaan ieder lijstje.\n\n"
        "## 2. Normaliseren is uitgangspunt\n\nNiet alles in het leven gaat zoals we het graag willen.\n\n"
        "### 3. Ondersteuning zo licht en zo nabij als mogelijk, zo zwaar en specialistisch als nodig\n\n\n\n"
        "Als jeugdhulp nodig is moet deze ook passend, beschikbaar en betaalbaar zijn.\n\n"
        "### Waar liggen de kansen voor verbetering?\n\nHet is van belang om deskundigheid goed in te zetten."
    )
    headings = [(b.level, b.text[:2]) for b in segment(text) if b.kind == "heading"]
    assert headings == [(1, "1."), (1, "2."), (1, "3."), (3, "Wa")]


# --- tables and glossary -------------------------------------------------------------------


def test_flattened_table_with_caption_after_is_one_block() -> None:
    text = (
        "Een kleiner aandeel van het jeugdhulpgebruik (8%) betreft Verblijf.\n\nAandeel jeugdhulpgebruik naar "
        "categorie\n\nCategorie\n\n2019\n\n2020\n\n2021\n\n2022*\n\nBehandeling\n\n70%\n\n70%\n\n68%\n\n68%\n\n"
        "Begeleiding\n\n17%\n\n18%\n\n20%\n\n22%\n\nVerblijf\n\n8%\n\n8%\n\n8%\n\n6%\n\nVervoer\n\n3%\n\n3%\n\n3%"
        "\n\n3%\n\nTabel 1: jeugdhulpgebruik naar categorie, Samen voor Jeugd 2019-2022.\n\n* De cijfers van 2022 "
        "zijn voorlopig.\xa0\n\n1.2 Aanbod jeugdhulp\n\nSamen voor Jeugd heeft via de inkooporganisatie "
        "Eindhoven ongeveer 150 aanbieders van jeugdhulp gecontracteerd."
    )
    blocks = segment(text)
    assert [b.kind for b in blocks] == ["paragraph", "table", "heading", "paragraph"]
    assert blocks[1].text.split("\n") == [
        "Aandeel jeugdhulpgebruik naar categorie",
        "Categorie | 2019 | 2020 | 2021 | 2022",
        "Behandeling | 70% | 70% | 68% | 68%",
        "Begeleiding | 17% | 18% | 20% | 22%",
        "Verblijf | 8% | 8% | 8% | 6%",
        "Vervoer | 3% | 3% | 3% | 3%",
        "Tabel 1: jeugdhulpgebruik naar categorie, Samen voor Jeugd 2019-2022.",
        "De cijfers van 2022 zijn voorlopig.",
    ]


def test_two_column_table_groups_its_header_row() -> None:
    blocks = corpus_blocks("000")
    table = next(b for b in blocks if b.kind == "table" and "Tabel 2" in b.text)
    assert table.text.split("\n")[:2] == [
        "Categorie jeugdhulp | Aandeel van totale jeugdhulpbudget",
        "Behandeling | 37%",
    ]


def test_tab_indented_cells_become_rows() -> None:
    text = (
        "Dit betekent dat de ontwikkelingen in dit programmaplan gerealiseerd moeten worden binnen de totale "
        "begroting.\n\n\n\n\tProducten\n\t2021 begroot\n\t2022 begroot\n\t2023 begroot\n\n\tZorgaanbod\n"
        "\t€ 6.167.100,00\n\t€ 6.290.454,00\n\t€ 6.416.261,00\n\n\n\n\nBinnen de begroting is er rekening "
        "gehouden met de indexatie van 2%."
    )
    blocks = segment(text)
    assert kinds(blocks)[1] == (
        "table",
        "Producten | 2021 begroot | 2022 begroot | 2023 begroot\n"
        "Zorgaanbod | € 6.167.100,00 | € 6.290.454,00 | € 6.416.261,00",
    )


def test_ocr_table_rows_with_title() -> None:
    text = (
        "Hieronder staat een overzicht van de beschikte\nwaarde voor de aanvragen weergegeven voor de "
        "arrangementen in 2020.\n\nBeschikte bedragen voor 2020 (x 1000 euro)\n\nGemeente 119 190 213 814\n"
        "Huisarts 536 397 93 496\nJeugdarts 310 271 129 748\nMed. Spec. 55 35 53 127\nGecert. Inst. 26 51 62 251\n"
        "Rechter 8 0 27 14\nOverige 0 3 0 18\nTotaal 1.054 947 577 2.468\n\nBij elkaar hebben we in 2020 voor "
        "€ 5.046.000 aan beschikkingen afgegeven."
    )
    blocks = segment(text)
    assert [b.kind for b in blocks] == ["paragraph", "table", "paragraph"]
    rows = blocks[1].text.split("\n")
    assert rows[0] == "Beschikte bedragen voor 2020 (x 1000 euro)"
    assert rows[1] == "Gemeente | 119 | 190 | 213 | 814"
    assert rows[4] == "Med. Spec. | 55 | 35 | 53 | 127"
    assert rows[-1] == "Totaal | 1.054 | 947 | 577 | 2.468"


def test_glossary_entries_with_html_become_term_definition_paragraphs() -> None:
    text = (
        "# Begrippenlijst\n\nGrote aanbieders\tIn Twente leveren 29 aanbieders 80% van de Jeugdhulp. Deze "
        "aanbieders werken voor meerdere gemeenten in de regio.\nOverbruggingszorg\t<p>Jeugdhulp die wordt "
        "gegeven in de (transitie)periode tussen de aanvraag van een indicatie/toewijzing en de levering van "
        "toegewezen, passende zorg.</p> <p>Bij jeugdhulp kan het ook gaan over de overgang van jeugdzorg naar "
        "volwassenenzorg.</p> <p><i>Bronnen: Zorginstituut Nederland.</i></p>\nGedwongen kader\t<p>'Gedwongen "
        "kader' gaat over verplichte maatregelen voor ouders of jongeren. Niet de gemeente maar de kinderrechter "
        "legt deze maatregelen op, na advies van de</p>\n\n\t<p>Raad voor de Kinderbescherming. Voorbeelden van "
        "verplichte maatregelen zijn: ondertoezichtstelling.</p> <p>Zie ook <b>Jeugdbescherming</b> en "
        "<b>Jeugdreclassering</b>.</p> <p><i>Bron: NJI</i></p>"
    )
    blocks = segment(text)
    assert kinds(blocks) == [
        ("heading", "Begrippenlijst"),
        (
            "paragraph",
            "Grote aanbieders: In Twente leveren 29 aanbieders 80% van de Jeugdhulp. Deze aanbieders werken voor "
            "meerdere gemeenten in de regio.",
        ),
        (
            "paragraph",
            "Overbruggingszorg: Jeugdhulp die wordt gegeven in de (transitie)periode tussen de aanvraag van een "
            "indicatie/toewijzing en de levering van toegewezen, passende zorg. Bij jeugdhulp kan het ook gaan "
            "over de overgang van jeugdzorg naar volwassenenzorg. Bronnen: Zorginstituut Nederland.",
        ),
        (
            "paragraph",
            "Gedwongen kader: 'Gedwongen kader' gaat over verplichte maatregelen voor ouders of jongeren. Niet de "
            "gemeente maar de kinderrechter legt deze maatregelen op, na advies van de Raad voor de "
            "Kinderbescherming. Voorbeelden van verplichte maatregelen zijn: ondertoezichtstelling. Zie ook "
            "Jeugdbescherming en Jeugdreclassering. Bron: NJI",
        ),
    ]


# --- helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [(0, 5), (3, 9), (6, 6), (0, 40)])
def test_slice_and_strip_keep_runs_verbatim(a: int, b: int) -> None:
    text = "  Voorwoord\xa0 \n\n Deze [bookmark: _bookmark2]regiovisie  "
    mapped = segment(text)
    for block in mapped:
        part = slice_mapped(block.mapped, a, b)
        stripped = strip_mapped(part)
        for m in (part, stripped):
            for c, o, n in m.runs:
                assert m.text[c : c + n] == text[o : o + n]
        assert stripped.text == part.text.strip()


def test_regulation_chapters_and_articles_are_headings():
    text = (
        "Hoofdstuk 1. Algemene bepalingen\n\nArtikel 1. Begripsbepalingen\n\n"
        "1. In deze verordening wordt verstaan onder jeugdhulp: hulp aan jeugdigen en ouders.\n\n"
        "Artikel 8a\n\nHet college verstrekt een persoonsgebonden budget als de jeugdige dat wil.\n\n"
        "Artikel 3 van de wet bepaalt wat het college moet doen als ouders daarom vragen.\n"
    )
    headings = [(b.level, b.text) for b in segment_text(text) if b.kind == "heading"]
    assert headings == [
        (1, "Hoofdstuk 1. Algemene bepalingen"),
        (3, "Artikel 1. Begripsbepalingen"),
        (3, "Artikel 8a"),
    ]


# --- Markdown converted from HTML (the nl-wetgeving corpus) ---------------------------------

WETGEVING_MD = (
    "<meta http-equiv='Content-Type' content='text/html; charset=utf-8' />\n\n"
    "##Besluit van 4 juli 2007, houdende regels aangaande de buitengerechtelijke afdoening van strafbare "
    "feiten (Besluit OM-afdoening)\n\n"
    "Wij Beatrix, bij de gratie Gods, Koningin der Nederlanden.\n\n"
    "### Hoofdstuk  II  \n\n####Strafbeschikkingen algemeen\n\n"
    "### Artikel  2.1  \n\n"
    "1.  Per dag mag ten hoogste 10 m<sup>3</sup> water worden onttrokken, met een CO<sub>2</sub>-uitstoot "
    "van 10<sup>-6</sup>, zie [artikel 3 van de Waterwet](../../../../wet/waterwet/(ww)/BWBR0025458/README.md).  \n"
    "2.  Gemeente<sup>1)</sup> en <i>cursief</i> blijven leesbaar.  \n\n"
    "Dit zijn de vier trefwoorden<sup> 1  In navolging van de Vlaamse eindtermen. </sup>: lezen en schrijven.\n\n"
    "*bevoegd gezag:* het bevoegd gezag, bedoeld in artikel 1 van de wet;  \n"
    "*college:* college van burgemeester en wethouders;  \n\n"
    "![245873](http://wetten.overheid.nl/Illustration/245873)\n\n"
    "| Aard van het bedrijf  |--- | Nieuw  | Goed  |\n"
    "|:---|:---|:---|:---|\n"
    "| Akkerbouw  | € 446,–  | € 268,–  |\n"
    "| Melkvee  | --- | € 688,–  |\n"
)


def test_wetgeving_markdown_is_cleaned_with_exact_offsets() -> None:
    blocks = segment(WETGEVING_MD)  # also checks every run against the original
    joined = texts(blocks)
    for residue in ("<", "meta", "#", "*", "](", "---", "245873", "Illustration"):
        assert residue not in joined, residue
    headings = [(b.level, b.text) for b in blocks if b.kind == "heading"]
    assert headings == [(2, "Hoofdstuk II Strafbeschikkingen algemeen"), (5, "Artikel 2.1")]
    # a title sentence written as '##' is text, not a section name
    assert blocks[0].kind == "paragraph" and blocks[0].text.startswith("Besluit van 4 juli 2007")
    assert "10 m3 water" in joined and "m 3" not in joined and "CO2-uitstoot" in joined and "10-6" in joined
    assert "zie artikel 3 van de Waterwet." in joined
    assert "Gemeente 1) en cursief blijven" in joined
    # a footnote written inside a sentence becomes its own block right after it
    assert "Dit zijn de vier trefwoorden: lezen en schrijven." in joined
    note = next(i for i, b in enumerate(blocks) if b.kind == "footnote")
    assert blocks[note].text == "1 In navolging van de Vlaamse eindtermen."
    assert blocks[note - 1].text == "Dit zijn de vier trefwoorden: lezen en schrijven."
    definitions = next(b for b in blocks if "bevoegd gezag:" in b.text)
    assert definitions.kind == "list" and definitions.text.splitlines()[-2:] == [
        "bevoegd gezag: het bevoegd gezag, bedoeld in artikel 1 van de wet;",
        "college: college van burgemeester en wethouders;",
    ]
    table = next(b for b in blocks if b.kind == "table")
    assert table.text.splitlines() == [
        "Aard van het bedrijf | Nieuw | Goed",
        "Akkerbouw | € 446,– | € 268,–",
        "Melkvee | € 688,–",
    ]


def test_markdown_hashes_without_space_need_two_and_hashtags_stay_text() -> None:
    blocks = segment("#jeugdhulp is een hashtag en geen kop in deze zin.\n\n##Kop zonder spatie\n\nTekst eronder.")
    assert ("heading", "Kop zonder spatie") in kinds(blocks)
    assert ("paragraph", "#jeugdhulp is een hashtag en geen kop in deze zin.") in kinds(blocks)


def test_loader_table_rows_with_cell_separators_form_one_table() -> None:
    text = "Tarieven per product:\n\nProduct | Eenheid | Tarief\nBegeleiding | uur | € 18,11\nVerblijf | etmaal | € 142"
    blocks = segment(text)
    assert ("table", "Product | Eenheid | Tarief\nBegeleiding | uur | € 18,11\nVerblijf | etmaal | € 142") in kinds(
        blocks
    )
