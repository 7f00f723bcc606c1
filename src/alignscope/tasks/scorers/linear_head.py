"""A linear model on sentence embeddings, stored as a small .npz (coefficients, intercept, link, metadata),
and the ``--train`` / ``--evaluate`` entry point shared by the heads that ship (refusal, toxicity), which
their ``*_training`` modules run."""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from alignscope.errors import DataError

Link = Literal["logistic", "identity"]


@dataclass(frozen=True)
class LinearHead:
    """``link(X @ coef + intercept)``: a probability (logistic) or a raw score (identity)."""

    coef: np.ndarray
    intercept: float
    link: Link
    meta: dict[str, Any] = field(default_factory=dict)

    def predict(self, features: np.ndarray) -> np.ndarray:
        """One prediction per row of ``features`` (shape (n, len(coef)))."""
        if features.ndim != 2 or features.shape[1] != self.coef.shape[0]:
            raise DataError(
                f"features of shape {features.shape} do not fit a head of width {self.coef.shape[0]}"
            )
        z = features.astype(np.float64) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z)) if self.link == "logistic" else z

    def save(self, path: Path) -> None:
        """Write the head as a compressed .npz."""
        np.savez_compressed(
            path,
            coef=self.coef.astype(np.float64),
            intercept=np.float64(self.intercept),
            link=np.str_(self.link),
            meta=np.str_(json.dumps(self.meta, sort_keys=True)),
        )

    @classmethod
    def load(cls, path: Path) -> LinearHead:
        """Read a head written by ``save``; DataError naming the file if it is missing or malformed."""
        try:
            with np.load(path, allow_pickle=False) as npz:
                return cls(
                    coef=np.asarray(npz["coef"], dtype=np.float64),
                    intercept=float(npz["intercept"]),
                    link=str(npz["link"]),  # type: ignore[arg-type]
                    meta=json.loads(str(npz["meta"])),
                )
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise DataError(
                f"cannot read classifier weights ({exc}); reinstall alignscope", where=str(path)
            ) from None


HeldOut = Callable[[], tuple[dict[str, Any], Callable[[], LinearHead]]]


@dataclass(frozen=True)
class ShippedHead:
    """A head that ships with alignscope (``what``, written to ``weights``) and its retraining entry point
    ``python -m MODULE --train|--evaluate [--out PATH]`` (``main``). ``held_out()`` computes the features once
    and returns the held-out report and a function fitting the head that ships; ``hyperparameter`` is the key
    of the head's meta holding the value that fit chose."""

    module: str
    what: str
    weights: Path
    held_out: HeldOut
    hyperparameter: str

    def main(self, argv: Sequence[str] | None = None) -> int:
        """``--train`` fits the shipped head and writes it to ``--out`` (default ``weights``); both modes
        print the held-out report as JSON, ``--train`` with the path written and the fitted hyperparameter."""
        parser = argparse.ArgumentParser(
            prog=f"python -m {self.module}", description=f"Refit or evaluate the shipped {self.what}."
        )
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--train", action="store_true", help=f"refit and write {self.weights.name}")
        mode.add_argument("--evaluate", action="store_true", help="print the held-out report")
        parser.add_argument("--out", type=Path, default=self.weights, help="where --train writes the weights")
        args = parser.parse_args(argv)
        report, fit = self.held_out()
        if args.train:
            head = fit()
            head.save(args.out)
            report |= {"written": str(args.out), self.hyperparameter: head.meta[self.hyperparameter]}
        json.dump(report, sys.stdout, indent=2)
        print()
        return 0
