from trtlab.report.tables import Raw, clipped, table


def test_a_long_cell_is_cut_with_an_ellipsis_and_given_in_full_by_its_tooltip():
    long = "fp32: " + "the model's input and outputs keep their types " * 10
    cell = clipped(long, 60)
    assert isinstance(cell, Raw) and cell.count("\u2026") == 1
    assert f"title='{long}'" in cell.replace("&#x27;", "'")
    assert clipped("short", 60) == "short"
    assert "<span title=" in table(["why"], [[cell]])
