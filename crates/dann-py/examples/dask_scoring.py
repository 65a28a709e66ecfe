"""Batch scoring and shift monitoring over a data set split into many files, on Dask.

A saved model (``dann train --out``, or ``DANN.save``) scores every part of a data set and
measures each part's shift from the source, on a Dask cluster: here a LocalCluster of worker
processes on this machine; on a real cluster, the same code with ``Client("scheduler:8786")``
(or ``dask_jobqueue``, ``dask_kubernetes``), the model folder and the parts on storage every
worker reads (NFS, S3 via fsspec paths). Each task loads the model once per worker process
and works on one part, so memory is bounded by a part, and the result is exactly what one
process gets: the model and the shift measure are deterministic (same seed, same rows).

Ray and Spark work the same way: ``ray.remote(score_part)`` over the parts, or
``mapInPandas`` in Spark with ``dann.load`` inside the function.

    python crates/dann-py/examples/dask_scoring.py MODEL_DIR SOURCE.csv PART.csv [PART.csv ...]

Every CSV has a header; the label column (``label``), if present, is left out.
"""

import functools
import sys

import numpy as np


@functools.lru_cache(maxsize=4)
def _model(path):
    import dann

    return dann.load(path)


def read_part(path):
    """A CSV part's feature columns as float32 (its `label` column left out)."""
    import pandas as pd

    frame = pd.read_csv(path)
    return frame.drop(columns=[c for c in ["label"] if c in frame.columns]).to_numpy(np.float32)


def score_part(model_path, part_path):
    """The predicted labels and class probabilities of one part."""
    model = _model(model_path)
    X = read_part(part_path)
    return model.predict(X), model.predict_proba(X)


def shift_part(source_path, part_path, seed=0):
    """How far one part has moved from the source (``dann shift``), as a dict."""
    import dann

    return dann.shift(read_part(source_path), read_part(part_path), seed=seed).to_dict()


def run(client, model_path, source_path, parts):
    """Scores and measures every part on `client`'s workers; results in the parts' order."""
    scores = client.map(score_part, [model_path] * len(parts), parts)
    shifts = client.map(shift_part, [source_path] * len(parts), parts)
    return client.gather(scores), client.gather(shifts)


def main(argv):
    from dask.distributed import Client, LocalCluster

    model_path, source_path, *parts = argv
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster:
        with Client(cluster) as client:
            scores, shifts = run(client, model_path, source_path, parts)
    for part, (labels, _), s in zip(parts, scores, shifts):
        print(f"{part}: {len(labels)} rows, PAD {s['pad']:.3f}, AUC {s['auc']:.3f} ({s['verdict']})")


if __name__ == "__main__":
    main(sys.argv[1:])
