"""Which cluster a sweep runs on, what a task asks of a worker, and a missing dask."""

from __future__ import annotations

import json
import sys

import pytest

from trtlab.errors import MissingDependency, TrtlabError
from trtlab.sweeps.cluster import Cluster, local_workers


def test_tasks_ask_for_a_gpu_where_a_worker_declares_one_so_no_two_share_it(tmp_path):
    """A real worker declaring GPU=1 (a resource is a label: no GPU needed) with two threads: the
    sweep's tasks ask for it, so they run one after the other."""
    distributed = pytest.importorskip("distributed", reason="needs dask's distributed (pip install 'trtlab[sweep]')")
    import trtlab

    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, resources={"GPU": 1},
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        run = trtlab.sweep(["zoo:tiny"], ["fp32", "fp16"], client, out=tmp_path / "out", cache_dir=tmp_path / "cache",
                           timing=False)
        run.wait(timeout=300)
        assert run.resources == {"GPU": 1} and [r.status for r in run.rows] == ["pass", "pass"]
        spans = sorted((m["started"], m["ended"]) for m in
                       (json.loads((tmp_path / "out" / "tiny" / f"{p}.json").read_text())["sweep"] for p in ("fp32", "fp16")))
        assert spans[0][1] <= spans[1][0]  # one check after the other, never at the same time
        assert Cluster(client, []).resources(True) == {"GPU": 1}
        assert Cluster(client, []).resources(False) is None  # --no-gpu


def test_on_a_cpu_only_cluster_tasks_ask_for_nothing_and_gpu_true_fails_at_once():
    distributed = pytest.importorskip("distributed", reason="needs dask's distributed (pip install 'trtlab[sweep]')")
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        assert Cluster(client, []).resources() is None
        with pytest.raises(TrtlabError, match="No worker of the Dask cluster declares a GPU"):
            Cluster(client, []).resources(True)


def test_the_local_cluster_is_no_larger_than_the_tasks_or_the_cores():
    assert local_workers(1) == 1
    assert 1 <= local_workers(1000) <= (len(__import__("os").sched_getaffinity(0)))


def test_without_dask_a_sweep_names_the_extra_to_install(monkeypatch, tmp_path):
    import trtlab

    monkeypatch.setitem(sys.modules, "distributed", None)  # an import of it fails, as when not installed
    with pytest.raises(MissingDependency, match=r"pip install 'trtlab\[sweep\]'"):
        trtlab.sweep(["zoo:tiny"], ["fp32"], out=tmp_path)


def test_an_unreachable_scheduler_is_one_clear_error():
    pytest.importorskip("distributed", reason="needs dask's distributed (pip install 'trtlab[sweep]')")
    with pytest.raises(TrtlabError, match="Can't reach the Dask scheduler at tcp://127.0.0.1:1"):
        Cluster.connect(scheduler="tcp://127.0.0.1:1")
