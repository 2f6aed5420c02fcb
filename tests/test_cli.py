"""The `beleidszoeker` command as a user meets it: wrong input gets a Dutch message and a non-zero
exit code (never a traceback), filters match the way people write region names, text output is
clean and tells where the passage ids are, and stopping `beleidszoeker app` stops Streamlit."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from app_fixtures import DataDir, real_index

from beleidszoeker.cli import main
from beleidszoeker.filters import FilterError, resolve_filters
from beleidszoeker.goldfile import check_gold
from beleidszoeker.records import Chunk, DocMeta, Document, Hit
from beleidszoeker.render import passage_terminal
from beleidszoeker.serve import busy_port_message, port_free

ROOT = Path(__file__).resolve().parent.parent
DOCS = {
    "a.txt": Document(DocMeta("a.txt", "Visie A", "Twente", year=2021), "x"),
    "b.txt": Document(DocMeta("b.txt", "Plan B", "Holland Rijnland (Duin- en Bollenstreek)", year=2019,
                              aliases=("Bollenstreek",)), "y"),
}


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse errors
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# ---- fast: argument checks, filters, gold files ------------------------------------------------


@pytest.mark.parametrize("argv", [["search", "--k", "0", "x"], ["search", "--k", "-1", "x"],
                                  ["compare", "--per-doc", "0", "x"], ["similar", "--k", "0", "abc"],
                                  ["search", "--k", "veel", "x"], ["search", "--year", "twintig", "x"]])
def test_bad_numbers_are_refused_in_dutch(capsys, argv):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    assert "fout: optie --" in err and ("te klein" in err or "geen geheel getal" in err or "geen jaartal" in err)
    assert "error:" not in err and "invalid" not in err


def test_regions_match_case_insensitively_and_by_alias():
    r = resolve_filters(["twente", "BOLLENSTREEK"], ["A.TXT"], [2021], DOCS)
    assert r.regions == ("Twente", "Holland Rijnland (Duin- en Bollenstreek)")
    assert r.docs == ("a.txt",) and r.years == (2021,)
    assert resolve_filters(["Twente", "twente"], [], [], DOCS).regions == ("Twente",)


def test_unknown_filter_values_list_the_valid_ones():
    with pytest.raises(FilterError) as err:
        resolve_filters(["Zeeland"], ["c.txt"], [1999], DOCS)
    lines = str(err.value).splitlines()
    assert len(lines) == 3
    assert "onbekende regio 'Zeeland'" in lines[0] and "Twente" in lines[0] and "Bollenstreek" in lines[0]
    assert "onbekend document 'c.txt'" in lines[1] and "a.txt, b.txt" in lines[1]
    assert "1999" in lines[2] and "2019, 2021" in lines[2]


def test_gold_file_problems_have_line_numbers():
    lines = [
        '{"id": "q1", "kind": "advisor", "query": "Wat?", "gold": [{"doc": "a.txt", "quote": "x"}]}',
        "",
        '{"id": "q2", "query": "kapot",',
        '{"id": "q3", "kind": "advisr", "query": "Wie?", "gold": [{"doc": "a.txt", "quote": "x"}]}',
        '{"id": "q4", "gold": [{"doc": "a.txt", "quote": "x"}]}',
        '{"id": "q5", "query": "Waar?", "gold": [{"doc": "a.tx", "quote": "x"}]}',
        '{"id": "q1", "kind": "no_answer", "query": "Pannenkoeken?"}',
        '["geen", "object"]',
    ]
    check = check_gold("\n".join(lines).encode(), "g.jsonl", set(DOCS))
    assert [i.id for i in check.items] == ["q1"]
    text = "\n".join(check.problems)
    assert "g.jsonl regel 3: geen geldige JSON" in text
    assert "regel 4: onbekende kind 'advisr' (bedoelt u 'advisor'?)" in text
    assert "regel 5: 'query' ontbreekt" in text
    assert "regel 6: onbekend document 'a.tx' (bedoelt u 'a.txt'?)" in text
    assert "regel 7: id 'q1' staat ook op regel 1" in text
    assert "regel 8: verwacht een JSON-object" in text


@pytest.mark.parametrize("data, says", [(b"", "bevat geen vragen"), (b"\n  \n", "bevat geen vragen"),
                                        (b"\x7fELF\x02\x01\x00\x00", "binaire inhoud"),
                                        (b"\xff\xfe{\xe9", "geen UTF-8")])
def test_gold_file_that_is_empty_or_not_text(data, says):
    check = check_gold(data, "g.jsonl", set(DOCS))
    assert not check.ok and says in check.problems[0]


def test_shipped_gold_files_are_valid():
    docs = {p.name for p in (ROOT / "corpus").iterdir() if p.name != "manifest.toml"}
    for path in sorted((ROOT / "eval").glob("*.jsonl")):
        check = check_gold(path.read_bytes(), path.name, docs)
        assert check.ok, check.problems[:3]


def test_eval_of_a_missing_file_says_so(capsys, tmp_path):
    code, _, err = run_cli(capsys, "eval", str(tmp_path / "weg.jsonl"))
    assert code == 1 and "bestaat niet" in err and "eval/extra.jsonl" in err
    code, _, err = run_cli(capsys, "eval", str(tmp_path))
    assert code == 1 and "is een map" in err


def test_terminal_passage_is_the_cleaned_text_with_marks():
    text = "Kop\n\nDe **wachtlijst** is lang &amp; hardnekkig. Slot."
    c = Chunk(id="c1", doc="a.txt", title="T", region="R", year=None, section="", page=None, page_label=None,
              start=100, end=100 + len(text), text=text, embed_text=text, runs=((0, 100, len(text)),))
    s = 100 + text.index("De ")
    out = passage_terminal(Hit(c, 1.0, answer_spans=[(s, s + len("De **wachtlijst** is lang &amp; hardnekkig."))]),
                           "[", "]")
    assert out == "Kop [De wachtlijst is lang & hardnekkig.] Slot."


# ---- stopping the app, and a busy port ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _streamlit_on(port: int) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"streamlit" in b" ".join(cmd) and str(port).encode() in cmd:
                pids.append(int(proc.name))
    return pids


def _wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not start")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_stopping_the_app_stops_streamlit(tmp_path, sig):
    port = _free_port()
    env = {**os.environ, "BELEIDSZOEKER_CORPUS": str(tmp_path / "corpus"), "BELEIDSZOEKER_DATA": str(tmp_path / "d"),
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "beleidszoeker.cli", "app", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_healthy(port, proc)
        assert _streamlit_on(port)
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0 and "gestopt" in out
        deadline = time.monotonic() + 10
        while _streamlit_on(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _streamlit_on(port), "streamlit still runs after the command stopped"
        assert port_free(port)
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in _streamlit_on(port):
            os.kill(pid, signal.SIGKILL)


def test_busy_port_gets_a_dutch_message_with_the_way_out(capsys):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", 0))
        s.listen()
        port = s.getsockname()[1]
        assert not port_free(port)
        message = busy_port_message(port)
        assert f"proces {os.getpid()}" in message and f"kill {os.getpid()}" in message
        code, _, err = run_cli(capsys, "app", "--port", str(port))
    assert code == 1 and f"poort {port} is al in gebruik" in err and f"--port {port + 1}" in err
    assert "not available" not in err


# ---- with the real index (slow) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> DataDir:
    return real_index(tmp_path_factory)


@pytest.mark.slow
def test_filters_on_the_real_index(real, monkeypatch, capsys):
    real.apply(monkeypatch)
    code, out, _ = run_cli(capsys, "search", "--json", "--region", "twente", "--k", "3", "wachtlijsten")
    hits = json.loads(out)["hits"]
    assert code == 0 and len(hits) == 3 and {h["region"] for h in hits} == {"Twente"}
    code, out, _ = run_cli(capsys, "compare", "--json", "--region", "Bollenstreek", "wachtlijsten")
    assert code == 0 and {h["region"] for h in json.loads(out)["hits"]} == {"Holland Rijnland (Duin- en Bollenstreek)"}
    for argv in (["--region", "Atlantis"], ["--doc", "geen.txt"], ["--year", "1999"]):
        code, out, err = run_cli(capsys, "search", *argv, "wachtlijsten")
        assert code == 1 and out == "" and "kies uit:" in err


@pytest.mark.slow
def test_text_output_has_ids_and_similar_marks_the_sentence(real, monkeypatch, capsys):
    real.apply(monkeypatch)
    code, out, _ = run_cli(capsys, "search", "--no-color", "--k", "3", "--region", "Twente", "wachtlijsten")
    assert code == 0 and "beleidszoeker similar ID" in out
    for residue in ("<i>", "<p>", "](", "- ›"):
        assert residue not in out
    ids = [line.rsplit("id ", 1)[1].rstrip(")") for line in out.splitlines() if ", id " in line]
    assert len(ids) == 3
    code, out, _ = run_cli(capsys, "similar", "--no-color", "--k", "3", ids[0])
    assert code == 0 and out.startswith("Vergelijkbaar met:") and f"(id {ids[0]})" in out.splitlines()[0]
    assert out.count(", id ") == 3
    code, out, _ = run_cli(capsys, "similar", "--json", "--k", "3", ids[0])
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 3 and all(r["answer_spans"] for r in rows) and all(r["region"] != "Twente" for r in rows)
    code, _, err = run_cli(capsys, "similar", "bestaat-niet")
    assert code == 1 and "beleidszoeker search" in err


@pytest.mark.slow
def test_eval_validates_before_scoring(real, monkeypatch, capsys, tmp_path):
    real.apply(monkeypatch)
    bad = tmp_path / "fout.jsonl"
    bad.write_text('{"id": "a", "kind": "advisr", "query": "Wat?", "gold": [{"doc": "x.txt", "quote": "q"}]}\n'
                   '{"id": "b"}\n', encoding="utf-8")
    code, out, err = run_cli(capsys, "eval", str(bad))
    assert code == 1 and out == ""
    assert "fout.jsonl regel 1: onbekende kind" in err and "regel 1: onbekend document 'x.txt'" in err
    assert "regel 2: 'query' ontbreekt" in err and "regel 2: 'gold' ontbreekt" in err and "4 problemen" in err
    one = tmp_path / "een.jsonl"
    line = (ROOT / "eval" / "extra.jsonl").read_text(encoding="utf-8").splitlines()[0]
    one.write_text(line + "\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "eval", str(one))
    assert code == 0 and "advisor" in out and "nan" not in out and "n.v.t." in out


def test_wachtwoord_prints_a_hash_the_app_accepts(capsys, monkeypatch):
    import io

    from app import auth

    monkeypatch.setattr(sys, "stdin", io.StringIO("een-goed-wachtwoord\n"))
    code, out, _ = run_cli(capsys, "wachtwoord")
    name, value = out.strip().split("=", 1)
    assert code == 0 and name == auth.HASH_ENV and "een-goed-wachtwoord" not in out
    config = auth.config_from({auth.HASH_ENV: value.strip("'")})
    assert auth.check_password("een-goed-wachtwoord", config) and not auth.check_password("fout", config)
    monkeypatch.setattr(sys, "stdin", io.StringIO("kort\n"))
    code, _, err = run_cli(capsys, "wachtwoord")
    assert code == 1 and "minstens 8" in err


def test_readme_gold_examples_are_valid_and_its_commands_need_no_shared_folder():
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### Gold file.*?```json\n(.*?)```", readme, re.S).group(1)
    docs = {p.name for p in (ROOT / "corpus").iterdir()}
    check = check_gold(block.encode(), "README", docs)
    assert check.ok and {i.kind for i in check.items} == {"advisor", "no_answer"}, check.problems
    commands = "\n".join(re.findall(r"```bash\n(.*?)```", readme, re.S))
    assert "../shared" not in commands and "eval/extra.jsonl" in commands
    assert "<!-- figures:start -->" in readme and "<!-- figures:end -->" in readme


def test_port_check_for_scripts_run():
    with socket.socket() as s:
        s.bind(("", 0))
        s.listen()
        port = s.getsockname()[1]
        busy = subprocess.run([sys.executable, "-m", "beleidszoeker.serve", str(port)], cwd=ROOT,
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert busy.returncode == 1 and "al in gebruik" in busy.stderr and "--port" in busy.stderr
    free = subprocess.run([sys.executable, "-m", "beleidszoeker.serve", str(_free_port())], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert free.returncode == 0 and free.stderr == ""
