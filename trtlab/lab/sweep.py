"""Sweep: coverage and engine count against min_block_size (partition only, no engines)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ipywidgets as W

from ..report.charts import integer_ticks, titled
from .figures import set_figures
from .session import Session, Settings


@dataclass
class SweepPoint:
    min_block_size: int
    coverage_pct: float
    engines: int
    ops_per_engine: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def sweep_points(session: Session, settings: Settings, sizes) -> list[SweepPoint]:
    return [SweepPoint(k, p.coverage_pct, p.engine_count, p.ops_per_engine)
            for k, p in session.sweep(settings, sizes)]


def sweep_figure(points: list[SweepPoint], *, model_name: str, settings: Settings):
    from plotly.subplots import make_subplots
    import plotly.graph_objects as go

    xs = [p.min_block_size for p in points]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=xs, y=[p.coverage_pct for p in points], name="nodes in TensorRT (%)",
                             mode="lines+markers"), secondary_y=False)
    fig.add_trace(go.Bar(x=xs, y=[p.engines for p in points], name="engines", opacity=0.4),
                  secondary_y=True)
    titled(fig, f"{model_name}: partition vs min_block_size",
           f"{settings.source}, {settings.precision}; computed from the partition, no engine built")
    fig.update_layout(xaxis_title="min_block_size", height=380, margin={"b": 40, "l": 50, "r": 50},
                      legend={"orientation": "h", "y": -0.25})
    fig.update_yaxes(title_text="nodes in TensorRT (%)", range=[0, 100], secondary_y=False)
    # Counts are whole numbers: integer ticks only (plotly would otherwise draw 0.211, 0.421, ...).
    fig.update_yaxes(title_text="engines", secondary_y=True, rangemode="tozero",
                     **integer_ticks([p.engines for p in points]))
    fig.update_xaxes(**integer_ticks(xs, most=16))
    return fig


class SweepPanel(W.VBox):
    """`run` button, `max_size` slider, `chart` (an Output with the figure), `points`."""

    def __init__(self, session: Session, settings: Callable[[], Settings],
                 report_error: Callable[[BaseException], None]):
        self.session = session
        self._settings = settings
        self._report_error = report_error
        n = len(session.model.nodes)
        self.max_size = W.IntSlider(value=min(16, max(2, n)), min=2, max=max(2, min(64, n)),
                                    description="up to", continuous_update=False)
        self.run = W.Button(description="Sweep min_block_size", icon="line-chart",
                            tooltip="partition the model once per min_block_size (no engines)",
                            layout=W.Layout(width="auto"))
        self.run.on_click(lambda _: self.sweep())
        self.chart = W.Output()
        self.chart.add_class("trtlab-sweep-chart")
        self.points: list[SweepPoint] = []
        super().__init__([W.HBox([self.run, self.max_size]), self.chart])
        self.add_class("trtlab-sweep-panel")

    def sweep(self) -> list[SweepPoint]:
        try:
            s = self._settings()
            self.points = sweep_points(self.session, s, range(1, self.max_size.value + 1))
            set_figures(self.chart, sweep_figure(self.points, model_name=self.session.model.name,
                                                 settings=s))
        except Exception as exc:  # shown in the Lab's error area; the widget stays usable
            self._report_error(exc)
        return self.points
