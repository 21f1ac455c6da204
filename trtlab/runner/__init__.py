"""Running models: the hybrid runner of a partition plan, and the whole model in ONNX Runtime.

    runner = HybridRunner(plan)
    outputs = runner.run(random_feeds(plan.model))
    print(runner.describe())
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import onnx

from ..errors import TrtlabError, first_line
from ..model import Model
from .feeds import check_feeds, random_feeds
from .hybrid import HybridRunner, Segment, plan_segments
from .ort import make_session, pick_provider, provider_label, session_options

__all__ = ["HybridRunner", "Segment", "plan_segments", "random_feeds", "check_feeds",
           "run_onnxruntime", "make_session", "pick_provider", "provider_label", "session_options"]


def run_onnxruntime(model: Model | onnx.ModelProto, feeds: Mapping[str, Any], provider: str = "auto",
                    outputs: list[str] | None = None) -> dict[str, np.ndarray]:
    """Run a whole model in one ONNX Runtime session: the reference a hybrid run is held to."""
    proto = model.proto if isinstance(model, Model) else model
    if isinstance(model, Model):
        feeds = check_feeds(model, feeds)
    session = make_session(proto, provider)
    names = outputs or [o.name for o in session.get_outputs()]
    try:
        return dict(zip(names, session.run(names, dict(feeds))))
    except Exception as exc:
        first = first_line(exc)
        raise TrtlabError(f"ONNX Runtime failed to run the model: {first}") from None
