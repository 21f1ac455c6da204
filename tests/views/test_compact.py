import re

import trtlab
from trtlab.views.compact import compact_graph_html

from .graph_models import numbered_model


def test_compact_graph_fits_the_width_with_groups_closed():
    model = numbered_model(60)
    plan = trtlab.partition(model, exclude_ops=["Reshape"])
    page = compact_graph_html(plan, height=300)
    svgs = re.findall(r"<svg [^>]*>", page)
    assert len(svgs) == 2
    assert all('viewBox="' in s and "width:100%" in s and "max-height:300px" in s for s in svgs)
    assert "Constant_" not in page.replace("Constant_0", "")  # no constant boxes
    assert page.count('data-id="g:') >= 4  # closed groups, not 240 boxes
    assert f"after: {plan.engine_count} TensorRT engines" in page
    assert "excluded by user" in page  # the legend
