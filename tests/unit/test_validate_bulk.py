"""On a generated ecosystem, problems deep in large files still name file, row and column,
and list cells checked once per distinct value are reported on every row that holds them."""

from __future__ import annotations

from gridvoices.loaders.generate import write_ecosystem
from gridvoices.stores.store import validate_paths


def _lines(path) -> list[str]:
    report, _ = validate_paths([path])
    return [str(i) for i in report.issues]


def _set_cell(path, row: int, column: str, value: str) -> None:
    """Row as a spreadsheet numbers it (header = 1)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_bad_cells_deep_in_large_files(tmp_path):
    data = write_ecosystem(tmp_path / "gen", 300, 20_000, seed=5)
    _set_cell(data / "referrals.csv", 17_345, "count", "12x")
    _set_cell(data / "referrals.csv", 19_998, "period", "2024-Q7")
    # The same bad list on two rows, and a valid list that holds it in another order.
    _set_cell(data / "services.csv", 40, "chime", "hope;joy")
    _set_cell(data / "services.csv", 250, "chime", "hope;joy")
    _set_cell(data / "services.csv", 251, "chime", "joy;hope")
    lines = _lines(data)
    assert "referrals.csv:17345:count: '12x' is not a whole number" in lines
    assert (
        "referrals.csv:19998:period: '2024-Q7' is not a period like 2024-Q1, 2024-03 or 2024"
        in lines
    )
    chime = [ln for ln in lines if ln.startswith("services.csv:") and ":chime:" in ln]
    assert [ln.split(":")[1] for ln in chime] == ["40", "250", "251"]
    assert all("'joy' not one of: " in ln for ln in chime)


def test_each_row_gets_a_list_of_its_own(tmp_path):
    data = write_ecosystem(tmp_path / "gen", 120, 500, seed=6)
    _set_cell(data / "services.csv", 2, "chime", "Hope; identity")
    _set_cell(data / "services.csv", 3, "chime", "Hope; identity")
    report, typed = validate_paths([data])
    assert report.valid
    chime = typed["services"]["chime"]
    assert chime.iloc[0] == chime.iloc[1] == ["hope", "identity"]
    chime.iloc[0].append("meaning")
    assert chime.iloc[1] == ["hope", "identity"]
