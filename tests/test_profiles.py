from __future__ import annotations

import pytest

from trtlab.errors import TrtlabError
from trtlab.profiles import Profile, ShapeRange, as_profiles, parse_shape


def test_trtexec_style_items_make_one_profile():
    p = Profile.parse(min=["x:1x3x8x8", "ids:1x4"], opt=["x:2x3x16x16,ids:1x16"], max=["x:4x3x32x32", "ids:2x64"])
    assert p.names == ["ids", "x"]
    assert p.to_dict()["x"] == {"min": [1, 3, 8, 8], "opt": [2, 3, 16, 16], "max": [4, 3, 32, 32]}
    assert p.at("opt") == {"ids": (1, 16), "x": (2, 3, 16, 16)}
    assert str(p.range_of("x")) == "1..4x3x8..32x8..32"
    assert Profile.from_dict(p.to_dict()) == p


@pytest.mark.parametrize("kw, words", [
    (dict(min=["x:1x3"], opt=["x:2x3"]), "no max shape"),
    (dict(min=["x:4x3"], opt=["x:2x3"], max=["x:8x3"]), "min <= opt <= max"),
    (dict(min=["x:1x3"], opt=["x:2x3"], max=["x:8x3x1"]), "one rank"),
    (dict(min=["1x3"], opt=["x:2x3"], max=["x:8x3"]), "is not NAME:SHAPE"),
    (dict(min=["x:1xa"], opt=["x:2x3"], max=["x:8x3"]), "is not a shape"),
])
def test_bad_profiles_get_one_clear_error(kw, words):
    with pytest.raises(TrtlabError, match=words):
        Profile.parse(**kw)


def test_profiles_come_as_one_a_list_or_none():
    one = {"x": ((1, 2), (2, 2), (4, 2))}
    assert as_profiles(None) == ()
    assert as_profiles(one) == as_profiles([one]) == (Profile.of({"x": ShapeRange((1, 2), (2, 2), (4, 2))}),)
    assert parse_shape("1x3x224x224") == (1, 3, 224, 224) and parse_shape("") == ()
    with pytest.raises(TrtlabError, match="mapping of input name"):
        as_profiles([3])


def test_naming_an_input_again_starts_the_next_profile_as_polygraphy_groups():
    two = Profile.parse_groups(min=["x:1x3", "ids:1x4", "x:8x3", "ids:1x4"], opt=["x:2x3,ids:1x16", "x:16x3,ids:1x16"],
                               max=["x:4x3", "ids:2x64", "x:32x3", "ids:2x64"])
    assert [p.at("opt") for p in two] == [{"ids": (1, 16), "x": (2, 3)}, {"ids": (1, 16), "x": (16, 3)}]
    assert Profile.parse_groups(min=["x:1x3"], opt=["x:2x3"], max=["x:4x3"]) == (
        Profile.parse(min=["x:1x3"], opt=["x:2x3"], max=["x:4x3"]),)
    with pytest.raises(TrtlabError, match="do not line up: --min-shapes 2, --opt-shapes 1, --max-shapes 1"):
        Profile.parse_groups(min=["x:1x3", "x:2x3"], opt=["x:2x3"], max=["x:4x3"])


def test_merged_spans_every_profile_and_a_shape_tensors_values_may_be_negative():
    from trtlab.profiles import ValueRange, merged

    a, b = Profile.parse_groups(min=["x:1x3", "x:8x3"], opt=["x:2x3", "x:16x3"], max=["x:4x3", "x:32x3"])
    assert merged([a, b]).to_dict() == {"x": {"min": [1, 3], "opt": [2, 3], "max": [32, 3]}}
    with pytest.raises(TrtlabError, match="Profile 2 names y; profile 1 names x"):
        merged([a, Profile.parse(min=["y:1"], opt=["y:1"], max=["y:1"])])
    shaped = Profile.of({"x": a.range_of("x")}, {"shp": ValueRange((-1, 1), (-1, 2), (-1, 4))})
    assert Profile.from_dict(shaped.to_dict()) == shaped
    with pytest.raises(TrtlabError, match="no negative dimension"):
        ShapeRange((-1, 1), (-1, 2), (-1, 4))


def test_polygraphy_bracketed_shapes_are_read_beside_trtexec_ones():
    p = Profile.parse(min=["x:[1,3,8,8],ids:[1,4]"], opt=["x:2x3x8x8", "ids:1x8"], max=["x:[4, 3, 8, 8]", "ids:[1,8]"])
    assert p.to_dict() == {"ids": {"min": [1, 4], "opt": [1, 8], "max": [1, 8]},
                           "x": {"min": [1, 3, 8, 8], "opt": [2, 3, 8, 8], "max": [4, 3, 8, 8]}}
    assert parse_shape("[]") == () and parse_shape("[7]") == (7,)
    with pytest.raises(TrtlabError, match="is not a shape"):
        parse_shape("[1,a]")
