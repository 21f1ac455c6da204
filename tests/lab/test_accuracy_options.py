"""The Lab's tolerance fields and its Keep fp32: auto button."""

from __future__ import annotations

from trtlab.lab import Lab
from trtlab.views.overlays import paint
from trtlab.views.overlays.precision import SEARCH_KEY

from tests.check.support import needs_trt
from tests.models import fragile_chain

FAST = {"cache_dir": False, "timing": False}


def test_the_fields_become_check_options():
    lab = Lab(fragile_chain(), check_options=FAST)
    opts = lab.build_panel.accuracy_options
    assert opts.options(["fp32", "fp16"]) == {}
    opts.atol.value, opts.min_cosine.value, opts.error_stat.value = "0.05", "0.99", "median"
    opts.keep_fp32.value = True
    got = opts.options(["fp32", "fp16"])
    assert got["keep_fp32"] == "auto"
    assert got["tolerances"]["fp16"].atol == 0.05 and got["tolerances"]["fp16"].min_cosine == 0.99
    assert got["tolerances"]["fp32"].atol == 1e-5 and got["tolerances"]["fp32"].error_stat == "median"
    assert "fp16 tolerance: error stat median, " in opts.describe("fp16") and "keep fp32: auto" in opts.describe("fp16")
    opts.rtol.value = "lots"
    lab.build_panel.start()  # not a number: said in the Lab, nothing started
    assert not lab.build_panel.running and "is not a number" in lab.errors.value and "lots" in lab.errors.value
    lab.close()


@needs_trt
def test_keep_fp32_auto_from_the_lab_shows_the_kept_nodes_and_their_overlay():
    lab = Lab(fragile_chain(bad=(2,)), check_options=FAST)
    lab.precision.value = "fp16"
    panel = lab.build_panel
    panel.accuracy_options.keep_fp32.value = True
    panel.build.click()
    assert panel.wait(300) and panel.error is None, lab.errors.value
    assert panel.result.verdict("fp16").status == "pass"
    assert "kept by the search" in panel.accuracy.value and "trtlab-keep-search" in panel.accuracy.value
    data = lab.graph.before.data
    assert data.precision["mm2"] == "fp32" and data.precision_reason["mm2"] == "kept by the search"
    styles, legend = paint(data, "precision", {"mm2": ["mm2"], "mm1": ["mm1"]})
    assert styles["mm2"]["key"] == SEARCH_KEY and styles["mm1"]["key"] == "fp16"
    assert ["#3182bd", "fp32, kept by the search"] in legend
    lab.close()
