"""Every small model the tests build in code, in one place (onnx-graphsurgeon keeps its
`tests/onnx_models.py` the same way). Real models come from `trtlab.corpus`."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import trtlab


def chain_model(width: int = 8, depth: int = 6, seed: int = 0) -> trtlab.Model:
    """x -> (MatMul, Add, Relu) * depth, with a side branch joining halfway: enough structure
    for several subgraphs and fallback runs when nodes are excluded."""
    rng = np.random.default_rng(seed)
    nodes, inits = [], []
    cur = "x"
    for i in range(depth):
        w = numpy_helper.from_array(rng.standard_normal((width, width)).astype(np.float32) / width ** 0.5, f"w{i}")
        b = numpy_helper.from_array(rng.standard_normal(width).astype(np.float32), f"b{i}")
        inits += [w, b]
        nodes += [helper.make_node("MatMul", [cur, f"w{i}"], [f"mm{i}"], name=f"mm{i}"),
                  helper.make_node("Add", [f"mm{i}", f"b{i}"], [f"add{i}"], name=f"add{i}"),
                  helper.make_node("Relu", [f"add{i}"], [f"relu{i}"], name=f"relu{i}")]
        cur = f"relu{i}"
        if i == depth // 2:
            nodes.append(helper.make_node("Sigmoid", ["x"], ["side"], name="side"))
            nodes.append(helper.make_node("Mul", [cur, "side"], ["joined"], name="join"))
            cur = "joined"
    nodes.append(helper.make_node("Softmax", [cur], ["y"], name="softmax", axis=-1))
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, width])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, width])], inits)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return trtlab.load(proto, name="chain")


def two_output_model() -> trtlab.Model:
    """Two outputs, one of them also read by later nodes, plus an unsupported op in the middle."""
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="relu"),
             helper.make_node("NonZero", ["a"], ["nz"], name="nonzero"),
             helper.make_node("Shape", ["nz"], ["s"], name="shape"),
             helper.make_node("Cast", ["s"], ["sf"], name="cast", to=TensorProto.FLOAT),
             helper.make_node("ReduceSum", ["sf"], ["n"], name="count", keepdims=0),
             helper.make_node("Mul", ["a", "n"], ["y"], name="scale"),
             helper.make_node("Exp", ["y"], ["z"], name="exp")]
    graph = helper.make_graph(nodes, "two_outputs", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4]),
                               helper.make_tensor_value_info("z", TensorProto.FLOAT, [3, 4])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return trtlab.load(proto, name="two_outputs")


def det_model() -> trtlab.Model:
    """x -> Relu -> Det -> Abs -> Neg -> y. With Det forced in and Abs kept out, the first
    subgraph holds a Det, which the TensorRT ONNX parser rejects; the second one builds."""
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("Det", ["r"], ["d"], name="det"),
             helper.make_node("Abs", ["d"], ["a"], name="abs"),
             helper.make_node("Neg", ["a"], ["y"], name="neg")]
    graph = helper.make_graph(nodes, "det", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return trtlab.load(proto, name="det")


def conv_model() -> trtlab.Model:
    """A tiny CNN with class scores: Conv, Relu, GlobalAveragePool, Flatten, Gemm."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32) * 0.3, "w")
    b = numpy_helper.from_array(np.zeros(4, np.float32), "b")
    fw = numpy_helper.from_array(rng.standard_normal((5, 4)).astype(np.float32), "fw")
    fb = numpy_helper.from_array(np.zeros(5, np.float32), "fb")
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("GlobalAveragePool", ["r"], ["p"], name="pool"),
             helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
             helper.make_node("Gemm", ["f", "fw", "fb"], ["y"], name="fc", transB=1)]
    graph = helper.make_graph(nodes, "cnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 5])], [w, b, fw, fb])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return trtlab.load(proto, name="cnn")


def dag_model(edges_per_node: list[list[int]], unsupported: set[int], *, shape=(1, 4)) -> trtlab.Model:
    """A model with node i reading the outputs of nodes `edges_per_node[i]` (all < i).

    Supported nodes are Add/Relu chains; unsupported ones are `Det`-free elementwise ops the
    tests exclude by name, so any DAG shape can be built from float ops ONNX Runtime runs.
    """
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))
    nodes = []
    for i, preds in enumerate(edges_per_node):
        ins = [f"t{p}" for p in preds] or ["x"]
        if len(ins) == 1:
            nodes.append(helper.make_node("Relu", ins, [f"t{i}"], name=f"n{i}"))
        else:
            nodes.append(helper.make_node("Sum", ins, [f"t{i}"], name=f"n{i}"))
    read = {p for preds in edges_per_node for p in preds}
    outs = [helper.make_tensor_value_info(f"t{i}", TensorProto.FLOAT, list(shape))
            for i in range(len(edges_per_node)) if i not in read]
    g = helper.make_graph(nodes, "dag", [x], outs)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    return trtlab.load(m, name="dag")


def chain_with_unsupported() -> onnx.ModelProto:
    """x -> relu -> Det-free chain: relu, (unsupported) Det, relu, add."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="r1"),
        helper.make_node("Det", ["a"], ["b"], name="det"),
        helper.make_node("Relu", ["a"], ["c"], name="r2"),
        helper.make_node("Det", ["c"], ["d"], name="det2"),
        helper.make_node("Add", ["b", "d"], ["y"], name="add"),
    ]
    g = helper.make_graph(nodes, "two_dets", [x], [y])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def dense_block():
    """(mx, a hybridised Dense(8 -> 4) + ReLU block that has run once on a 2x8 input)."""
    try:
        from trtlab.mxnet import import_mxnet

        mx = import_mxnet()
    except trtlab.MissingDependency:
        pytest.skip("needs mxnet (pip install 'trtlab[mxnet]')")
    net = mx.gluon.nn.HybridSequential()
    net.add(mx.gluon.nn.Dense(4, in_units=8), mx.gluon.nn.Activation("relu"))
    net.initialize()
    net.hybridize()
    net(mx.nd.ones((2, 8)))
    return mx, net


def _conv(name, x, cin, cout, rng):
    w = numpy_helper.from_array(rng.standard_normal((cout, cin, 3, 3)).astype(np.float32) * 0.1,
                                f"{name}.w")
    return helper.make_node("Conv", [x, w.name], [name], pads=[1, 1, 1, 1], name=name), w


def small_lab_model() -> trtlab.Model:
    """conv -> relu -> conv -> relu -> add (residual) -> MaxRoiPool branch + pool head.

    MaxRoiPool is outside TensorRT's support table, so the plan has a fallback node.
    """
    rng = np.random.default_rng(0)
    c1, w1 = _conv("conv1", "x", 3, 4, rng)
    c2, w2 = _conv("conv2", "relu1", 4, 4, rng)
    nodes = [
        c1, helper.make_node("Relu", ["conv1"], ["relu1"], name="relu1"),
        c2, helper.make_node("Relu", ["conv2"], ["relu2"], name="relu2"),
        helper.make_node("Add", ["relu1", "relu2"], ["sum"], name="add"),
        helper.make_node("MaxRoiPool", ["sum", "rois"], ["roi"], pooled_shape=[2, 2], name="roipool"),
        helper.make_node("GlobalAveragePool", ["sum"], ["pooled"], name="pool"),
        helper.make_node("Flatten", ["pooled"], ["y"], name="flatten"),
    ]
    graph = helper.make_graph(
        nodes, "small", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("roi", TensorProto.FLOAT, None)],
        initializer=[w1, w2, numpy_helper.from_array(np.array([[0, 0, 0, 7, 7]], np.float32), "rois")])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    return trtlab.load(proto, name="small")


SHAPE = [1, 8, 16, 16]
TENSOR_BYTES = 4 * int(np.prod(SHAPE))  # one fp32 activation of SHAPE


def _fusion_model(nodes, inits, name: str) -> trtlab.Model:
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, SHAPE)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, SHAPE)], inits)
    return trtlab.load(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), name=name)


def _fusion_weights(seed: int = 0):
    rng = np.random.default_rng(seed)

    def init(name, *shape, low=-1.0, high=1.0):
        return numpy_helper.from_array(rng.uniform(low, high, shape).astype(np.float32), name)

    return [init("w1", 8, 8, 3, 3), init("gamma", 8), init("beta", 8), init("mean", 8),
            init("var", 8, low=0.5, high=2.0), init("w2", 8, 8, 1, 1)]


def conv_bn_relu_model() -> trtlab.Model:
    """x -> Conv -> BatchNormalization -> Relu -> Conv -> y, with seeded weights."""
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "gamma", "beta", "mean", "var"], ["b1"], name="bn"),
        helper.make_node("Relu", ["b1"], ["r1"], name="relu"),
        helper.make_node("Conv", ["r1", "w2"], ["y"], name="head"),
    ]
    return _fusion_model(nodes, _fusion_weights(), "cbr")


def conv_bn_relu_only() -> trtlab.Model:
    """x -> Conv -> BatchNormalization -> Relu -> y: three nodes, two intermediate tensors."""
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "gamma", "beta", "mean", "var"], ["b1"], name="bn"),
        helper.make_node("Relu", ["b1"], ["y"], name="relu"),
    ]
    return _fusion_model(nodes, _fusion_weights()[:5], "cbr3")


# Precision and engine tests: a tiny CNN with class scores, an op TensorRT lacks, a wide MLP.
INPUT_SHAPE = (2, 3, 8, 8)


def tiny_cnn(seed: int = 0, *, folded_weight: bool = True) -> onnx.ModelProto:
    """Conv -> BatchNorm -> Relu -> GlobalAveragePool -> Flatten -> Gemm -> Softmax.

    With `folded_weight`, the Gemm weight is a Transpose of an initializer: a constant that
    sanitize must fold into a plain initializer.
    """
    rng = np.random.default_rng(seed)
    f32 = np.float32
    inits = [
        numpy_helper.from_array((rng.standard_normal((8, 3, 3, 3)) * 0.3).astype(f32), "conv.w"),
        numpy_helper.from_array(rng.standard_normal(8).astype(f32) * 0.1, "conv.b"),
        numpy_helper.from_array(rng.uniform(0.5, 1.5, 8).astype(f32), "bn.scale"),
        numpy_helper.from_array(rng.standard_normal(8).astype(f32) * 0.1, "bn.bias"),
        numpy_helper.from_array(rng.standard_normal(8).astype(f32) * 0.1, "bn.mean"),
        numpy_helper.from_array(rng.uniform(0.5, 1.5, 8).astype(f32), "bn.var"),
        numpy_helper.from_array(rng.standard_normal(5).astype(f32) * 0.1, "fc.b"),
    ]
    fc_w = (rng.standard_normal((8, 5)) * 0.5).astype(f32)
    nodes = [
        helper.make_node("Conv", ["x", "conv.w", "conv.b"], ["c"], pads=[1, 1, 1, 1], name="conv"),
        helper.make_node("BatchNormalization", ["c", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["bn"],
                         name="bn"),
        helper.make_node("Relu", ["bn"], ["r"], name="relu"),
        helper.make_node("GlobalAveragePool", ["r"], ["p"], name="pool"),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
    ]
    if folded_weight:
        inits.append(numpy_helper.from_array(fc_w.T.copy(), "fc.w_t"))
        nodes.append(helper.make_node("Transpose", ["fc.w_t"], ["fc.w"], perm=[1, 0], name="fc.w.transpose"))
    else:
        inits.append(numpy_helper.from_array(fc_w, "fc.w"))
    nodes += [
        helper.make_node("Gemm", ["f", "fc.w", "fc.b"], ["g"], name="fc"),
        helper.make_node("Softmax", ["g"], ["y"], axis=1, name="softmax"),
    ]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(INPUT_SHAPE))
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [INPUT_SHAPE[0], 5])
    graph = helper.make_graph(nodes, "tiny_cnn", [x], [y], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def unsupported_op_model() -> onnx.ModelProto:
    """A Relu followed by an op from a custom domain, which no TensorRT parser has an importer for."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("FancyOp", ["r"], ["y"], name="fancy", domain="com.example")]
    graph = helper.make_graph(nodes, "unsupported", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.example", 1)])
    model.ir_version = 8
    return model


def wide_mlp(width: int = 512, seed: int = 0) -> onnx.ModelProto:
    """x[1, width] @ W[width, width] -> Relu: weights large enough to show in engine sizes."""
    rng = np.random.default_rng(seed)
    w = numpy_helper.from_array((rng.standard_normal((width, width)) * 0.05).astype(np.float32), "w")
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, width])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, width])
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"], name="matmul"),
             helper.make_node("Relu", ["m"], ["y"], name="relu")]
    model = helper.make_model(helper.make_graph(nodes, "wide_mlp", [x], [y], [w]),
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def matmul_chain(count: int = 5, size: int = 1536, seed: int = 0) -> onnx.ModelProto:
    """x[4, size] -> (MatMul, Relu) * count, each weight size x size: most of the file is
    weights (five of 1536 x 1536 make 47 MB), the activations are small."""
    rng = np.random.default_rng(seed)
    weights = [numpy_helper.from_array((rng.standard_normal((size, size)) / size ** 0.5).astype(np.float32), f"w{i}")
               for i in range(count)]
    nodes = []
    for i in range(count):
        nodes += [helper.make_node("MatMul", ["x" if i == 0 else f"h{i}", f"w{i}"], [f"m{i}"], name=f"matmul{i}"),
                  helper.make_node("Relu", [f"m{i}"], [f"h{i + 1}" if i < count - 1 else "y"], name=f"relu{i}")]
    graph = helper.make_graph(nodes, "matmul_chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, size])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, size])], weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


# One model per rule the precision transforms must keep.
def _rule_model(nodes, inputs, outputs, inits=(), opset: int = 17) -> onnx.ModelProto:
    model = helper.make_model(helper.make_graph(nodes, "rule", inputs, outputs, list(inits)),
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7 if opset < 13 else 8
    onnx.checker.check_model(model)
    return model


def conv_bn(variance: float = 3e7, seed: int = 0) -> onnx.ModelProto:
    """Conv -> BatchNormalization -> Relu with running variances far outside fp16 (as PP-OCR's)."""
    rng = np.random.default_rng(seed)
    c = 4
    inits = [numpy_helper.from_array((rng.standard_normal((c, 3, 3, 3)) * 300).astype(np.float32), "w"),
             numpy_helper.from_array(rng.standard_normal(c).astype(np.float32), "b"),
             numpy_helper.from_array(rng.uniform(0.5, 2, c).astype(np.float32), "scale"),
             numpy_helper.from_array(rng.standard_normal(c).astype(np.float32), "bias"),
             numpy_helper.from_array((rng.standard_normal(c) * 100).astype(np.float32), "mean"),
             numpy_helper.from_array((rng.uniform(0.5, 1.5, c) * variance).astype(np.float32), "var")]
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1], name="conv"),
             helper.make_node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["n"], name="bn"),
             helper.make_node("Relu", ["n"], ["y"], name="relu")]
    return _rule_model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, c, 8, 8])], inits)


def gemm_bn(trans_b: int = 1, seed: int = 0) -> onnx.ModelProto:
    """Gemm (alpha, beta, bias) -> BatchNormalization on its 2-D output."""
    rng = np.random.default_rng(seed)
    k, m = 6, 5
    w = rng.standard_normal((m, k) if trans_b else (k, m)).astype(np.float32)
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(rng.standard_normal(m).astype(np.float32), "c"),
             numpy_helper.from_array(rng.uniform(0.5, 2, m).astype(np.float32), "scale"),
             numpy_helper.from_array(rng.standard_normal(m).astype(np.float32), "bias"),
             numpy_helper.from_array(rng.standard_normal(m).astype(np.float32), "mean"),
             numpy_helper.from_array(rng.uniform(0.5, 2, m).astype(np.float32), "var")]
    nodes = [helper.make_node("Gemm", ["x", "w", "c"], ["g"], transB=trans_b, alpha=0.5, beta=2.0, name="gemm"),
             helper.make_node("BatchNormalization", ["g", "scale", "bias", "mean", "var"], ["y"], name="bn")]
    return _rule_model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, k])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, m])], inits)


def big_weight() -> onnx.ModelProto:
    """x * w + 1 where w holds 1e6: w does not fit fp16, so its reader must stay fp32."""
    w = numpy_helper.from_array(np.array([1e6, -2e6, 3.0, 0.5], np.float32), "w")
    one = numpy_helper.from_array(np.ones(4, np.float32), "one")
    nodes = [helper.make_node("Mul", ["x", "w"], ["m"], name="scale_up"),
             helper.make_node("Add", ["m", "one"], ["y"], name="add")]
    return _rule_model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])], [w, one])


def int_input_cast_matmul() -> onnx.ModelProto:
    """magika's pattern: int32 input -> Cast(to=FLOAT) -> MatMul with fp32 weights, plus a
    ConstantOfShape (of a dynamic shape, so it is not folded away) whose fp32 value is added on."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((4, 3)).astype(np.float32), "w")
    nodes = [helper.make_node("Cast", ["bytes"], ["f"], to=TensorProto.FLOAT, name="to_float"),
             helper.make_node("MatMul", ["f", "w"], ["m"], name="matmul"),
             helper.make_node("Shape", ["m"], ["shape"], name="shape"),
             helper.make_node("ConstantOfShape", ["shape"], ["half"], name="halves",
                              value=numpy_helper.from_array(np.array([0.5], np.float32))),
             helper.make_node("Add", ["m", "half"], ["y"], name="add")]
    return _rule_model(nodes, [helper.make_tensor_value_info("bytes", TensorProto.INT32, ["n", 4])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 3])], [w])


def conv_opset11(seed: int = 0) -> onnx.ModelProto:
    """Conv -> Relu -> Conv at opset 11, where DequantizeLinear has no per-channel axis."""
    rng = np.random.default_rng(seed)
    inits = [numpy_helper.from_array((rng.standard_normal((4, 3, 3, 3)) * 0.3).astype(np.float32), "w1"),
             numpy_helper.from_array((rng.standard_normal((2, 4, 1, 1)) * 0.3).astype(np.float32), "w2")]
    nodes = [helper.make_node("Conv", ["x", "w1"], ["c"], pads=[1, 1, 1, 1], name="conv1"),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("Conv", ["r", "w2"], ["y"], name="conv2")]
    return _rule_model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 8, 8])], inits, opset=11)


def if_with_outer_scope() -> onnx.ModelProto:
    """h = x @ w; if flag: h * 2 + k else h - k, the branches reading h and k from outside."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((4, 4)).astype(np.float32), "w")
    k = numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "k")
    two = numpy_helper.from_array(np.array(2.0, np.float32), "two")
    out = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [2, 4])  # noqa: E731
    then = helper.make_graph([helper.make_node("Mul", ["h", "two"], ["t1"], name="then_mul"),
                              helper.make_node("Add", ["t1", "k"], ["t_out"], name="then_add")],
                             "then", [], [out("t_out")])
    other = helper.make_graph([helper.make_node("Sub", ["h", "k"], ["e_out"], name="else_sub")],
                              "else", [], [out("e_out")])
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"], name="matmul"),
             helper.make_node("If", ["flag"], ["b"], then_branch=then, else_branch=other, name="branch"),
             helper.make_node("Relu", ["b"], ["y"], name="relu")]
    return _rule_model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4]),
                          helper.make_tensor_value_info("flag", TensorProto.BOOL, [])],
                  [out("y")], [w, k, two])


def relu_chain(depth: int) -> bytes:
    """x -> Relu -> Relu -> ... -> y, `depth` nodes, as serialized ONNX."""
    nodes, prev = [], "x"
    for i in range(depth):
        out = "y" if i == depth - 1 else f"t{i}"
        nodes.append(helper.make_node("Relu", [prev], [out], name=f"relu{i}"))
        prev = out
    graph = helper.make_graph(nodes, "relu_chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()


def residual_chain_model(names, *, ops=None, name="chain", shape=(1, 4, 8, 8)) -> trtlab.Model:
    """Residual blocks of elementwise nodes: each Add also reads its block's input (a skip edge)."""
    ops = ops or ["Relu", "Sigmoid", "Add"]
    nodes, prev, block_input = [], "x", "x"
    for i, n in enumerate(names):
        op = ops[i % len(ops)]
        out = f"t{i}"
        inputs = [prev, block_input] if op == "Add" else [prev]
        nodes.append(helper.make_node(op, inputs, [out], name=n))
        prev = out
        if op == "Add":
            block_input = out
    nodes.append(helper.make_node("Identity", [prev], ["y"], name="final"))
    graph = helper.make_graph(nodes, name,
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return trtlab.Model.from_proto(proto, name=name, source="test")


def dynamic_cnn(seed: int = 0) -> onnx.ModelProto:
    """x [N, 3, H, W] -> Conv -> Relu -> GlobalAveragePool -> y [N, 4, 1, 1]: batch and image
    size dynamic, for optimisation profiles."""
    rng = np.random.default_rng(seed)
    w = numpy_helper.from_array((rng.standard_normal((4, 3, 3, 3)) / 5).astype(np.float32), "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("GlobalAveragePool", ["r"], ["y"], name="pool")]
    graph = helper.make_graph(nodes, "dynamic_cnn",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4, 1, 1])], [w])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return proto


def shape_input_reshape() -> onnx.ModelProto:
    """x [6] reshaped to the shape held by the INT64 input `shape` [2]: `shape` is a shape tensor."""
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape"),
             helper.make_node("Relu", ["r"], ["y"], name="relu")]
    graph = helper.make_graph(nodes, "shape_input",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [6]),
                               helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["a", "b"])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return proto


def fragile_chain(bad=(2,), depth: int = 6, width: int = 16, seed: int = 0) -> trtlab.Model:
    """x -> (MatMul, Add, Tanh) * depth, where each layer in `bad` has weights of about 1e-7
    (fp16 subnormals, a few percent off) scaled back by 1e6 after the MatMul: fp16 fails, and
    keeping those MatMuls in fp32 (the scale stays fp32 anyway: 1e6 does not fit fp16) passes."""
    rng = np.random.default_rng(seed)
    nodes, inits = [], []
    cur = "x"
    for i in range(depth):
        w = rng.standard_normal((width, width)).astype(np.float32) / width ** 0.5
        inits += [numpy_helper.from_array(w * (1e-6 if i in bad else 1.0), f"w{i}"),
                  numpy_helper.from_array(rng.standard_normal(width).astype(np.float32) * 0.1, f"b{i}")]
        nodes.append(helper.make_node("MatMul", [cur, f"w{i}"], [f"mm{i}"], name=f"mm{i}"))
        out = f"mm{i}"
        if i in bad:
            inits.append(numpy_helper.from_array(np.array(1e6, np.float32), f"s{i}"))
            nodes.append(helper.make_node("Mul", [out, f"s{i}"], [f"sc{i}"], name=f"scale{i}"))
            out = f"sc{i}"
        nodes += [helper.make_node("Add", [out, f"b{i}"], [f"add{i}"], name=f"add{i}"),
                  helper.make_node("Tanh", [f"add{i}"], [f"t{i}"], name=f"tanh{i}")]
        cur = f"t{i}"
    nodes.append(helper.make_node("Identity", [cur], ["y"], name="out"))
    graph = helper.make_graph(nodes, "fragile", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, width])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, width])], inits)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return trtlab.load(proto, name="fragile")


def zipmap_classifier() -> onnx.ModelProto:
    """A classifier as skl2onnx writes one: ONNX-ML ops (LinearClassifier) and a ZipMap output, a
    sequence of {class: probability} maps, beside an int64 label tensor."""
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("LinearClassifier", ["r"], ["label", "probs"], name="linear", domain="ai.onnx.ml",
                              classlabels_ints=[0, 1], coefficients=[0.5, -0.2, 0.1, 0.3, -0.4, 0.2],
                              intercepts=[0.0, 0.1], post_transform="SOFTMAX"),
             helper.make_node("ZipMap", ["probs"], ["output_probability"], name="zipmap", domain="ai.onnx.ml",
                              classlabels_int64s=[0, 1])]
    maps = helper.make_sequence_type_proto(
        helper.make_map_type_proto(TensorProto.INT64, helper.make_tensor_type_proto(TensorProto.FLOAT, [])))
    graph = helper.make_graph(nodes, "classifier", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                              [helper.make_tensor_value_info("label", TensorProto.INT64, [2]),
                               helper.make_value_info("output_probability", maps)])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 1)])
    proto.ir_version = 8
    return proto
