from trtlab.views.overlays import base
from trtlab.views.overlays.base import NodeData, Overlay, colour, known, reason_key, register, unregister


def _none(data, names):
    return {}, {}


def test_overlays_are_known_in_their_order_and_a_name_is_replaced_not_repeated():
    first = Overlay("zz-first", "first", order=-2, categories=_none)
    second = Overlay("zz-second", "second", order=-1, categories=_none)
    try:
        register(second)
        register(first)
        names = [o.name for o in known()]
        assert names.index("zz-first") < names.index("zz-second") < names.index("coverage")
        register(Overlay("zz-first", "first again", order=-2, categories=_none))
        assert [o.label for o in known() if o.name == "zz-first"] == ["first again"]
    finally:
        unregister("zz-first")
        unregister("zz-second")
    assert not {"zz-first", "zz-second"} & {o.name for o in known()}


def test_an_overlay_names_the_module_that_defines_it():
    assert Overlay("x", "x", order=0, categories=_none).module == __name__


def test_colours_never_repeat_past_the_palette():
    colours = [colour(k) for k in range(60)]
    assert colours[:len(base.PALETTE)] == base.PALETTE
    assert len(set(colours)) == len(colours)


def test_reasons_that_differ_past_sixty_characters_share_a_key():
    stem = "the parser has no converter for op Foo because " + "x" * 40
    assert reason_key(stem + " node a") == reason_key(stem + " node b")
    assert reason_key("short reason") == "short reason"


def test_node_data_offers_only_the_overlays_its_values_can_show():
    data = NodeData(statuses={})
    assert data.precision == {} and data.error == {}
    offered = [name for name, _ in data.overlays()]
    assert "coverage" in offered and "error" not in offered
    with_error = NodeData(statuses={}, values={"error": {"a": 1e-3}})
    assert with_error.error == {"a": 1e-3}
    assert "error" in [name for name, _ in with_error.overlays()]
