from __future__ import annotations

import trtlab
from trtlab.hybrid.cost import macs


def test_macs_match_the_known_counts():
    # ResNet-18 at 224x224 is about 1.8 GMACs; MobileNetV2 about 0.3.
    r18 = trtlab.load("zoo:resnet18")
    assert 1.75e9 < macs(r18, [n.name for n in r18.nodes]) < 1.9e9
    mb2 = trtlab.load("zoo:mobilenetv2")
    assert 0.28e9 < macs(mb2, [n.name for n in mb2.nodes]) < 0.34e9


def test_one_conv_exactly():
    m = trtlab.load("zoo:resnet18")
    conv1 = m.node_by_name["conv1"]  # 64 x 3 x 7 x 7 kernel, output 1x64x112x112
    assert macs(m, [conv1.name]) == 64 * 112 * 112 * 3 * 7 * 7
