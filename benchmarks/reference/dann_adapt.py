"""ADAPT's DANN (`adapt.feature_based.DANN`, TensorFlow/Keras) with the network, data and
settings of `dann.DANN().fit` on books -> kitchen at its defaults, for the Python benchmark
(`benchmarks/python/bench.py --adapt-python`, issue 25). Times the fit alone, from the arrays in
memory (made dense: ADAPT takes numpy arrays) to the trained model.

The settings, as ADAPT spells them: encoder Dense(100, sigmoid) on the 5000 inputs, task
Dense(2, softmax), discriminator Dense(1, sigmoid); batches of 32 source + 32 target rows
(ADAPT's batch_size is per domain); SGD momentum 0.9 with lr 0.01 / (1 + 10 p)^0.75 (a
callback); lambda_p = 2 / (1 + exp(-10 p)) - 1 (ADAPT's UpdateLambda callback); --steps
gradient steps (as epochs over the 2,000 source rows). ADAPT's own loss differs in one
detail: the encoder's domain term is scaled by lambda in the loss instead of a reversal layer
(the same gradient).

Prints one JSON object: {"seconds": ..., "steps": ..., "adapt": ..., "tensorflow": ...,
"target_accuracy": ...} (the accuracy on the target's labelled rows after training, untimed).

    pip install adapt scikit-learn
    python benchmarks/reference/dann_adapt.py --source data/amazon/books_train.svmlight.gz \
        --target data/amazon/kitchen_train.svmlight.gz --steps 10000
"""

import argparse
import json
import math
import os
import time
from importlib.metadata import version

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from adapt.feature_based import DANN  # noqa: E402
from adapt.utils import UpdateLambda  # noqa: E402
from sklearn.datasets import load_svmlight_file  # noqa: E402


class Annealed(tf.keras.callbacks.Callback):
    """lr 0.01 / (1 + 10 p)^0.75 on ADAPT's three optimisers (task, encoder, discriminator),
    p the fraction of `steps` done (a Keras schedule does not survive ADAPT's cloning of the
    optimiser under Keras 3)."""

    def __init__(self, steps):
        super().__init__()
        self.steps, self.done = steps, 0

    def on_train_batch_begin(self, batch, logs=None):
        lr = 0.01 / (1.0 + 10.0 * min(self.done / self.steps, 1.0)) ** 0.75
        for opt in (self.model.optimizer, self.model.optimizer_enc, self.model.optimizer_disc):
            opt.learning_rate.assign(lr)
        self.done += 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--source", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--steps", type=int, default=10000)
    a = p.parse_args()
    tf.keras.utils.set_random_seed(0)
    xs, ys = load_svmlight_file(a.source)
    xt, yt = load_svmlight_file(a.target)
    n = max(xs.shape[1], xt.shape[1])
    xs, ys = load_svmlight_file(a.source, n_features=n)
    xt, yt = load_svmlight_file(a.target, n_features=n)
    classes = np.unique(ys)
    start = time.perf_counter()
    Xs, Xt = xs.astype(np.float32).toarray(), xt.astype(np.float32).toarray()
    Ys = np.eye(len(classes), dtype=np.float32)[np.searchsorted(classes, ys)]
    encoder = tf.keras.Sequential([tf.keras.Input((n,)), tf.keras.layers.Dense(100, "sigmoid")])
    task = tf.keras.Sequential([tf.keras.Input((100,)), tf.keras.layers.Dense(len(classes), "softmax")])
    disc = tf.keras.Sequential([tf.keras.Input((100,)), tf.keras.layers.Dense(1, "sigmoid")])
    batch = 32
    epochs = max(1, math.ceil(a.steps * batch / len(Xs)))
    steps = epochs * math.ceil(len(Xs) / batch)
    model = DANN(encoder, task, disc, Xt=Xt, lambda_=tf.Variable(0.0), random_state=0,
                 loss="categorical_crossentropy", metrics=["acc"],
                 optimizer=tf.keras.optimizers.SGD(0.01, momentum=0.9))
    model.fit(Xs, Ys, epochs=epochs, batch_size=batch, verbose=0,
              callbacks=[Annealed(steps), UpdateLambda(lambda_max=1.0, max_steps=steps, gamma=10.0)])
    seconds = time.perf_counter() - start
    pred = classes[np.asarray(model.predict(Xt, verbose=0)).argmax(1)]
    print(json.dumps({"seconds": seconds, "steps": steps, "adapt": version("adapt"),
                      "tensorflow": tf.__version__, "target_accuracy": float((pred == yt).mean())}))


if __name__ == "__main__":
    main()
