"""A model defined in PyTorch, exported with torch's own ONNX exporter (needs torch)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ..model import Model

DEFAULT_SHAPE = (1, 3, 64, 64)


def build_torch_cnn(inputs: Mapping[str, Sequence[int]] | None = None, batch: int = 1,
                    seed: int = 0) -> tuple[Any, tuple]:
    """A small residual CNN (stem, two residual stages, squeeze-excite, head) with seeded weights
    and BatchNorm statistics, in eval mode; returns (module, example_inputs)."""
    from .._optional import torch as _torch

    torch = _torch()
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, cin: int, cout: int, stride: int):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU()
            self.down = None
            if stride != 1 or cin != cout:
                self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            y = self.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            return self.relu(y + (x if self.down is None else self.down(x)))

    class SqueezeExcite(nn.Module):
        def __init__(self, channels: int):
            super().__init__()
            self.fc1 = nn.Linear(channels, channels // 4)
            self.fc2 = nn.Linear(channels // 4, channels)

        def forward(self, x):
            s = x.mean(dim=(2, 3))
            s = torch.sigmoid(self.fc2(torch.relu(self.fc1(s))))
            return x * s[:, :, None, None]

    class TorchCNN(nn.Module):
        def __init__(self, classes: int = 10):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
            self.layer1 = nn.Sequential(Block(16, 16, 1), Block(16, 32, 2))
            self.layer2 = nn.Sequential(Block(32, 64, 2))
            self.se = SqueezeExcite(64)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(64, classes)

        def forward(self, x):
            x = self.se(self.layer2(self.layer1(self.stem(x))))
            return torch.softmax(self.fc(torch.flatten(self.pool(x), 1)), dim=1)

    gen = torch.Generator().manual_seed(seed)
    model = TorchCNN()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            elif isinstance(m, (nn.Conv2d, nn.Linear)):
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * (2.0 / m.weight[0].numel()) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)
    model.eval()
    shape = tuple(next(iter(inputs.values()))) if inputs else (batch, *DEFAULT_SHAPE[1:])
    example = (torch.randn(*shape, generator=gen),)
    return model, example


def torch_cnn(inputs: Mapping[str, Sequence[int]] | None = None, batch: int = 1, seed: int = 0) -> Model:
    """The zoo's PyTorch model: `build_torch_cnn` exported to ONNX (input "x", output "probs") by the
    TorchScript exporter: a second, where the dynamo exporter takes several."""
    from ..loaders.torch import TensorNames, load_torch_module

    module, example = build_torch_cnn(inputs, batch=batch, seed=seed)
    model = load_torch_module(module, example_inputs=example, name="torch_cnn",
                              names=TensorNames(inputs=["x"], outputs=["probs"]), exporter="torchscript")
    model.origin = module  # so `check` times it in PyTorch too
    return model
