"""Which TensorRT builds the engines: full TensorRT (10.x, 11.x) or TensorRT-RTX."""

from __future__ import annotations

from dataclasses import dataclass

from ..trtapi import TensorRT, require_tensorrt


@dataclass(frozen=True)
class Flavour(TensorRT):
    """The installed TensorRT, as the engine code needs to know it."""

    @property
    def builder_label(self) -> str:
        return self.label

    @property
    def weakly_typed_flags(self) -> bool:
        """TensorRT 10 still has BuilderFlag.FP16/BF16/INT8; TensorRT 11 and TensorRT-RTX don't."""
        return hasattr(self.module.BuilderFlag, "FP16")

    @property
    def timing_cache(self) -> bool:
        """TensorRT-RTX keeps the timing-cache API, but its operations are no-ops."""
        return self.flavour == "tensorrt"

    def create_network(self, builder):
        """A network definition: strongly typed where this TensorRT has no precision flags.

        Keep the returned network referenced while a parser fills it."""
        trt = self.module
        flags = 0
        if not self.weakly_typed_flags and hasattr(trt.NetworkDefinitionCreationFlag, "STRONGLY_TYPED"):
            flags |= 1 << int(trt.NetworkDefinitionCreationFlag.STRONGLY_TYPED)
        return builder.create_network(flags)

    def to_dict(self) -> dict:
        return {"flavour": self.flavour, "version": self.version, "builder": self.builder_label,
                "weakly_typed_flags": self.weakly_typed_flags}


def detect(purpose: str = "Building TensorRT engines") -> Flavour:
    """The installed TensorRT (`TRTLAB_TENSORRT` picks one when both are installed).

    Raises MissingDependency naming the extra to install when neither is there.
    """
    found = require_tensorrt(purpose)
    return Flavour(found.module, found.flavour, found.version)
