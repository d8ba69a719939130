"""Bad input: one clear line on stderr, exit code 2, no traceback, nothing on stdout."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from propscope.errors import BinaryInput, DecodeError, EmptyInput
from propscope.ingest.decode import decode_bytes, looks_binary

from .conftest import Run

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
BIG = 50 * 1024 * 1024


def assert_one_line_error(result: tuple[int, str, str], code: str, *phrases: str) -> None:
    status, out, err = result
    assert status == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"error {code}: ")
    assert "Traceback" not in err
    for phrase in phrases:
        assert phrase in err


@pytest.mark.parametrize(
    ("content", "code", "phrase"),
    [
        (b"", "PS102", "is empty"),
        (b" \n\t\r\n  ", "PS102", "only white space"),
        ("\u00a0\u3000\n".encode(), "PS102", "no text, only white space"),
        ("\u200b\u200b\n\u00ad ".encode(), "PS102", "invisible characters are removed"),
        (PNG, "PS103", "binary"),
        (b"some text\x00\x00\x00with NUL bytes", "PS103", "binary"),
        (b"%PDF-1.7\n", "PS103", "binary"),
        (b"caf\xe9 au lait", "PS105", "not valid UTF-8 at byte 3"),
        (b"\xef\xbb\xbfgood start then \xff\xfe bad", "PS105", "not valid UTF-8"),
    ],
    ids=["empty", "white-space", "unicode-spaces", "invisible-only", "png", "nul", "pdf", "latin-1",
         "bom-then-bad"],
)
def test_bad_file(run: Run, tmp_path: Path, content: bytes, code: str, phrase: str) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    assert_one_line_error(run("analyze", str(path), "-d", "keywords"), code, phrase, str(path))


def test_missing_path(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    assert_one_line_error(run("analyze", str(missing)), "PS101", "does not exist")


def test_folder(run: Run, tmp_path: Path) -> None:
    assert_one_line_error(run("analyze", str(tmp_path)), "PS101", "is a folder")


def test_unreadable_file(run: Run, tmp_path: Path) -> None:
    """A file that exists but cannot be read: a locked file, or (as root, who reads
    any file) Linux's /proc/self/mem, whose first page gives an I/O error."""
    if os.geteuid() != 0:
        path = tmp_path / "locked.txt"
        path.write_text("text")
        path.chmod(0)
    elif Path("/proc/self/mem").is_file():
        path = Path("/proc/self/mem")
    else:
        pytest.skip("no unreadable file to be had as root here")
    assert_one_line_error(run("analyze", str(path)), "PS107", "cannot be read")


def test_empty_stdin(run: Run) -> None:
    assert_one_line_error(run("analyze", "-", stdin=b""), "PS102", "standard input is empty")


def test_stdin_over_the_limit(run: Run) -> None:
    result = run("analyze", "-", "--max-bytes", "10", stdin=b"x" * 11)
    assert_one_line_error(result, "PS104", "standard input is over the limit of 10 bytes")


def test_stdin_twice(run: Run) -> None:
    assert_one_line_error(run("analyze", "-", "-", stdin=b"x"), "PS100", "only once")


def test_unknown_encoding(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("text")
    result = run("analyze", str(path), "--encoding", "no-such-codec")
    assert_one_line_error(result, "PS105", "unknown encoding 'no-such-codec'")


def test_output_folder_missing(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("vile lies")
    target = tmp_path / "missing" / "out.json"
    result = run("analyze", str(path), "-d", "keywords", "-f", "json", "-o", str(target))
    assert_one_line_error(result, "PS701", "cannot write")


def test_one_bad_path_among_good_ones_stops_before_any_output(run: Run, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("vile lies")
    result = run("analyze", str(good), str(tmp_path / "gone.txt"), "-d", "keywords")
    assert_one_line_error(result, "PS101", "gone.txt")


def test_max_bytes_lowers_the_limit(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("twenty bytes of text")
    result = run("analyze", str(path), "--max-bytes", "19")
    assert_one_line_error(result, "PS104", "20 bytes, over the limit of 19 bytes")


@pytest.fixture()
def big_file(tmp_path: Path) -> Path:
    """50 MB of NUL bytes, sparse, so it takes no disk and no time to make."""
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(BIG)
    return path


def test_fifty_megabytes_is_refused_at_once_without_reading_it(run: Run, big_file: Path) -> None:
    tracemalloc.start()
    began = time.perf_counter()
    result = run("analyze", str(big_file))
    elapsed = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert_one_line_error(result, "PS104", "52,428,800 bytes, over the limit of 20,971,520")
    assert elapsed < 2
    assert peak < 5 * 1024 * 1024  # refused from its size: never read


def test_max_bytes_raises_the_limit_and_the_file_is_read_once(run: Run, big_file: Path) -> None:
    tracemalloc.start()
    result = run("analyze", str(big_file), "--max-bytes", str(60 * 1024 * 1024))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Past the size check, the NUL bytes in it give the next error: binary.
    assert_one_line_error(result, "PS103", "binary")
    assert peak < 1.2 * BIG  # one copy of the bytes, not two


def test_a_real_process_prints_one_line_and_exits_2(big_file: Path) -> None:
    """The entry point in a process of its own, not just ``main``: one line, exit 2."""
    done = subprocess.run([sys.executable, "-m", "propscope", "analyze", str(big_file)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "over the limit" in done.stderr


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("\ufeffwith BOM".encode(), "with BOM"),
        ("UTF-16 text".encode("utf-16"), "UTF-16 text"),
        ("UTF-32 text".encode("utf-32"), "UTF-32 text"),
        ("UTF-32 big".encode("utf-32-be").join([b"\x00\x00\xfe\xff", b""]), "UTF-32 big"),
    ],
)
def test_byte_order_marks_are_honoured(data: bytes, text: str) -> None:
    assert decode_bytes(data) == text


def test_decode_errors_are_typed() -> None:
    with pytest.raises(EmptyInput):
        decode_bytes(b"\xef\xbb\xbf")  # a BOM and nothing else
    with pytest.raises(BinaryInput):
        decode_bytes(b"\x1f\x8b\x08\x00 gzip")
    with pytest.raises(DecodeError, match="not valid cp1252"):
        decode_bytes(b"\x81", encoding="cp1252")
    assert not looks_binary(b"plain text\twith a tab\n")
    assert looks_binary(bytes(range(1, 32)) * 10)  # mostly control characters


def test_a_hostile_file_name_is_shown_not_obeyed(run: Run, tmp_path: Path) -> None:
    name = "gone\x1b]0;pwned\x07\x1b[2J\u202e.txt"
    result = run("analyze", str(tmp_path / name))
    assert_one_line_error(result, "PS101", "gone\\x1b]0;pwned\\x07\\x1b[2J\\u202e.txt")
    assert "\x1b" not in result[2] and "\u202e" not in result[2]
