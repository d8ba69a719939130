"""Country data files: bundled ones load, and every mistake names the file and entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from propscope.analytics.lexicon import bundled_countries, load_lexicon
from propscope.errors import DataError


def test_bundled_dprk_resolves_aliases_and_spellings() -> None:
    lexicon = load_lexicon()
    assert lexicon.person("Kim Jong-un").id == "kim-jong-un"
    assert lexicon.person("kim  jong il").id == "kim-jong-il"
    assert lexicon.target("ROK").name == "south Korea"
    assert {p.id for p in lexicon.leaders} >= {"kim-jong-un", "kim-jong-il", "kim-il-sung"}
    assert "russia" in bundled_countries()


def test_files_merge_and_version_follows_content(tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text('[[person]]\nname = "Choe Ryong Hae"\n', encoding="utf-8")
    merged = load_lexicon(["dprk", extra])
    assert merged.person("Choe Ryong Hae") is not None
    assert merged.version != load_lexicon().version
    assert load_lexicon(["dprk", "russia"]).person("Putin").leader


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[person]]\naliases = ['x']\n", "`name` is missing"),
        ("[[person]]\nname = 'A B'\naliases = 'A'\n", "list of non-empty strings"),
        ("[[person]]\nname = 'A B'\n[[person.title_ref]]\ntitle = 'T'\nfrom = 'soon'\n",
         "not a YYYY-MM-DD date"),
        ("[[title]]\nname = 'Chief'\nrank = 'high'\n", "`rank` is missing or not a int"),
        ("this is = = not toml", "not valid TOML"),
    ],
)
def test_bad_files_are_refused_with_the_cause(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message) as info:
        load_lexicon([path])
    assert "bad.toml" in str(info.value)


def test_unknown_country_and_missing_file() -> None:
    with pytest.raises(DataError, match="no bundled lexicon named 'atlantis'"):
        load_lexicon(["atlantis"])
    with pytest.raises(DataError, match="cannot read"):
        load_lexicon(["/nonexistent/dir/x.toml"])


def test_every_bundled_country_loads_with_leaders_and_targets() -> None:
    for country in bundled_countries():
        lexicon = load_lexicon([country])
        assert lexicon.leaders and lexicon.targets, country
