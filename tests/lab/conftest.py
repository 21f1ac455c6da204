from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets", reason="needs ipywidgets (pip install 'trtlab[lab]')")
pytest.importorskip("plotly", reason="needs plotly (pip install 'trtlab[lab]')")


@pytest.fixture(scope="session")
def small_model():
    """The Lab tests' model: see `tests.models.small_lab_model`."""
    from tests.models import small_lab_model

    return small_lab_model()
