import tomllib
from dataclasses import replace

import pytest

from beleidszoeker.records import DocMeta
from ingest.manifest import ManifestError, derive_meta, load_manifest, meta_for, toml_entry


def test_shipped_manifest_covers_every_corpus_file(settings_real):
    manifest = load_manifest(settings_real.manifest_path)
    files = sorted(p.name for p in settings_real.corpus_dir.glob("*.txt"))
    assert files and all(f in manifest for f in files)
    assert manifest["003_4f7ac4d2be3ad9cf.txt"].region == "Twente"
    assert manifest["004_7958d381e0eb9ffa.txt"].year == 2021


def test_file_without_entry_gets_derived_meta_and_a_warning():
    meta, warning = meta_for("regiovisie_jeugd-2024.pdf", {})
    assert meta.title == "Regiovisie jeugd 2024"
    assert meta.year == 2024 and meta.region == "onbekend"
    assert "manifest.toml" in warning


def test_derive_meta_without_year():
    assert derive_meta("notitie.txt").year is None


def test_toml_entry_round_trips_with_quotes(tmp_path):
    meta = DocMeta('a "b".txt', 'Titel met "quotes"', "Regio\\Zuid", ("X", "Y"), 2024, "2024", "visie", "bron")
    path = tmp_path / "manifest.toml"
    path.write_text(toml_entry(meta), encoding="utf-8")
    assert tomllib.loads(path.read_text())  # valid TOML
    assert load_manifest(path)[meta.file] == meta
    with_aliases = replace(meta, aliases=("Zuid", 'De "Kop"'))
    path.write_text(toml_entry(with_aliases), encoding="utf-8")
    assert load_manifest(path)[meta.file] == with_aliases


def test_broken_manifest_says_what_to_fix(tmp_path):
    path = tmp_path / "manifest.toml"
    path.write_text("[oops\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="geen geldige TOML"):
        load_manifest(path)


def test_documents_in_folders_are_keyed_and_titled_by_their_path(tmp_path):
    path = tmp_path / "manifest.toml"
    path.write_text('["wet/jeugdwet/BWBR0034925/README.md"]\ntitle = "Jeugdwet"\nregion = "Landelijk"\n')
    meta, warning = meta_for("wet/jeugdwet/BWBR0034925/README.md", load_manifest(path))
    assert warning is None and meta.file == "wet/jeugdwet/BWBR0034925/README.md" and meta.title == "Jeugdwet"
    derived = derive_meta("AMvB/pachtprijzenbesluit/2007/BWBR0022448/README.md")
    assert derived.title == "Pachtprijzenbesluit" and derived.year == 2007
    assert derive_meta("wet/jeugdwet/BWBR0034925/README.md").title == "Jeugdwet"
    assert derive_meta("regio/twente/visie_2024.md").title == "Visie 2024"


def test_title_from_text_takes_the_first_heading_without_markup():
    from ingest.manifest import title_from_text

    text = "<meta charset='utf-8' />\n\n##Wet van 1 maart 2014 <i>inzake</i> jeugdhulp (Jeugdwet)\n\n### Artikel 1\n"
    assert title_from_text(text) == "Wet van 1 maart 2014 inzake jeugdhulp (Jeugdwet)"
    long = "## " + " ".join(f"woord{n}" for n in range(30)) + "\n"
    assert title_from_text(long).endswith(" …") and len(title_from_text(long).split()) == 17
    assert title_from_text("Geen kop hier.\n") is None
