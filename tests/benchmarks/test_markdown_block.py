"""`make bench` and `make bench-peers` each rewrite only their own block of BENCHMARKS.md."""

from __future__ import annotations

from pathlib import Path

from benchmarks.markdown_block import write_block

BENCH = ("<!-- make bench -->", "<!-- /make bench -->")
PEERS = ("<!-- bench-peers -->", "<!-- /bench-peers -->")


def test_a_block_is_replaced_and_everything_else_kept(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(
        "# Benchmarks\n\n<!-- make bench -->\nold table\n<!-- /make bench -->\n\n"
        "<!-- bench-peers -->\npeers table\n<!-- /bench-peers -->\n\n"
        "## How earlier rows were measured\n\nnotes by hand\n",
        encoding="utf-8",
    )
    write_block(path, *BENCH, "new table\n")
    text = path.read_text(encoding="utf-8")
    assert "old table" not in text
    assert "<!-- make bench -->\nnew table\n<!-- /make bench -->" in text
    assert "<!-- bench-peers -->\npeers table\n<!-- /bench-peers -->" in text
    assert text.endswith("## How earlier rows were measured\n\nnotes by hand\n")

    write_block(path, *PEERS, "new peers")
    again = path.read_text(encoding="utf-8")
    assert "peers table" not in again
    assert "new table" in again
    assert again.count("<!-- make bench -->") == 1
    assert again.count("<!-- bench-peers -->") == 1


def test_a_block_not_there_yet_goes_after_the_title(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\nnotes by hand\n", encoding="utf-8")
    write_block(path, *PEERS, "peers table")
    assert path.read_text(encoding="utf-8") == (
        "# Benchmarks\n\n<!-- bench-peers -->\npeers table\n<!-- /bench-peers -->\n\n"
        "notes by hand\n"
    )
    fresh = tmp_path / "new.md"
    write_block(fresh, *BENCH, "table")
    assert fresh.read_text(encoding="utf-8") == (
        "# Benchmarks\n\n<!-- make bench -->\ntable\n<!-- /make bench -->\n"
    )


def test_the_projects_file_holds_both_blocks_once() -> None:
    text = (Path(__file__).parents[2] / "BENCHMARKS.md").read_text(encoding="utf-8")
    for start, end in (BENCH, PEERS):
        assert text.count(start) == 1
        assert text.count(end) == 1
        assert text.index(start) < text.index(end)
