import re

import trtlab
from trtlab.views.compact import compact_graph_html

from .graph_models import numbered_model


def test_compact_graph_fits_the_width_with_groups_closed():
    model = numbered_model(60)
    plan = trtlab.partition(model, exclude_ops=["Reshape"])
    page = compact_graph_html(plan)
    svgs = re.findall(r"<svg [^>]*>", page)
    assert len(svgs) >= 2
    assert all('viewBox="' in s and "width:100%" in s for s in svgs)
    assert "Constant_" not in page.replace("Constant_0", "")  # no constant boxes
    assert page.count('data-id="g:') >= 4  # closed groups, not 240 boxes
    assert f"after: {plan.engine_count} TensorRT engines" in page
    assert "excluded by user" in page  # the legend


def test_compact_and_static_drawings_show_the_same_groups():
    from tests.real_models import real_model
    from trtlab import corpus
    from trtlab.views import before_graph

    real_model("ppocr-rec")
    model, _ = corpus.load("ppocr-rec")  # no name scopes; 420 Constant nodes
    plan = trtlab.partition(model)
    page = compact_graph_html(plan, sides=("before",))
    # Each row of the drawing holds all of it (its viewBox shows a part): ids repeat per row.
    compact = list(dict.fromkeys(i for i in re.findall(r'data-id="([^"]*)"', page) if i.startswith("g:")))
    static = before_graph(plan)
    assert compact == [g.id for g in static.groups] and len(compact) > 3
    assert "Constant_" not in page and 'data-name="Constant_' not in static.svg()


def test_a_long_chain_is_drawn_in_rows_at_its_own_size():
    """Rows cut between boxes, each at most ROW_PX wide: shown at scale 1, not shrunk to a strip."""
    from trtlab.views.compact import ROW_PX

    plan = trtlab.partition(trtlab.load("zoo:resnet18"))
    page = compact_graph_html(plan, sides=("before",))
    widths = [float(w) for w in re.findall(r'viewBox="[-\d.]+ -4 ([\d.]+) ', page)]
    assert len(widths) >= 2 and max(widths) <= ROW_PX + 1
    styles = re.findall(r'max-width:([\d.]+)px', page)
    assert [float(s) for s in styles[-len(widths):]] == widths  # never drawn larger than its own size
    assert "max-height" not in page


def test_a_cut_row_shows_the_edge_leaving_it_and_the_next_the_edge_entering():
    """Where a drawing is cut into rows, each cut shows a stub of the edge across it (the reader
    sees the graph go on), and no row shows a box of another row."""
    from trtlab.views.compact import CUT_STUB, _rows

    items = [{"x": x, "w": 100} for x in (0, 140, 280, 420)]  # boxes 40 px apart
    rows = _rows({"items": items, "width": 520}, row_px=260)
    assert CUT_STUB < 20
    assert rows == [(-4, 240 + CUT_STUB), (280 - CUT_STUB, 380 + CUT_STUB), (420 - CUT_STUB, 524)]
    assert all(end - start <= 260 for start, end in rows)
    tight = _rows({"items": [{"x": x, "w": 100} for x in (0, 108, 216)], "width": 316}, row_px=150)
    assert tight == [(-4, 104), (104, 212), (212, 320)]  # 8 px gaps: half each, no box twice
