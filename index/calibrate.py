"""Fitting the answer confidence: an L2-regularised logistic regression on a few features, validated
leave-one-file-out (a gold file is written about one set of questions; a fold never sees its own).

Pure numpy; scripts/fit_confidence.py runs it on the gold files and writes params.toml.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Logistic:
    """P(right) = sigmoid(bias + sum weights[f] * x[f]), on the features' own scale."""

    bias: float
    weights: dict[str, float]

    def predict(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        z = np.array([self.bias + sum(w * r.get(f, 0.0) for f, w in self.weights.items()) for r in rows])
        out = 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))
        return np.where([bool(r) for r in rows], out, 0.0)  # no features: no answer, confidence 0


def fit_logistic(
    rows: Sequence[Mapping[str, float]], right: Sequence[bool], features: Sequence[str], *, l2: float = 1.0
) -> Logistic:
    """Newton's method on standardised features (L2 on the weights, not the bias); rows without
    features (no answer) are left out: their confidence is 0 by definition."""
    keep = [i for i, r in enumerate(rows) if r]
    x = np.array([[rows[i].get(f, 0.0) for f in features] for i in keep], dtype=float).reshape(len(keep), len(features))
    y = np.array([float(right[i]) for i in keep])
    if len(y) == 0:
        return Logistic(0.0, dict.fromkeys(features, 0.0))
    mu, sd = x.mean(0), x.std(0)
    sd[sd < 1e-9] = 1.0
    z = np.hstack([np.ones((len(y), 1)), (x - mu) / sd])
    w = np.zeros(z.shape[1])
    penalty = np.diag([0.0] + [l2] * len(features))
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -50, 50)))
        grad = z.T @ (p - y) + penalty @ w
        hess = (z * (p * (1 - p))[:, None]).T @ z + penalty + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    scaled = w[1:] / sd
    return Logistic(float(w[0] - scaled @ mu), {f: float(v) for f, v in zip(features, scaled, strict=True)})


def leave_one_file_out(
    rows: Sequence[Mapping[str, float]],
    right: Sequence[bool],
    files: Sequence[str],
    features: Sequence[str],
    *,
    l2: float = 1.0,
) -> np.ndarray:
    """Each row's confidence from a model fitted on the other files only."""
    pred = np.zeros(len(rows))
    for f in sorted(set(files)):
        held = [i for i, g in enumerate(files) if g == f]
        train = [i for i, g in enumerate(files) if g != f]
        model = fit_logistic([rows[i] for i in train], [right[i] for i in train], features, l2=l2)
        pred[held] = model.predict([rows[i] for i in held])
    return pred
