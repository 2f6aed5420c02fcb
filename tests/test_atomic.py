import pytest

from beleidszoeker.atomic import atomic_directory, recover


def test_swap_replaces_the_whole_directory(tmp_path):
    target = tmp_path / "store"
    with atomic_directory(target) as d:
        (d / "a").write_text("1")
    with atomic_directory(target) as d:
        (d / "b").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == ["b"]
    assert not list(tmp_path.glob(".store.new-*"))


def test_a_crash_while_writing_leaves_the_previous_version(tmp_path):
    target = tmp_path / "store"
    with atomic_directory(target) as d:
        (d / "a").write_text("goed")
    with pytest.raises(RuntimeError), atomic_directory(target) as d:
        (d / "a").write_text("half")
        raise RuntimeError("crash")
    assert (target / "a").read_text() == "goed"
    assert not list(tmp_path.glob(".store.new-*"))


def test_recover_after_a_crash_between_the_two_renames(tmp_path):
    target = tmp_path / "store"
    old = tmp_path / "store.old"
    old.mkdir()
    (old / "a").write_text("vorige")
    recover(target)
    assert (target / "a").read_text() == "vorige" and not old.exists()
