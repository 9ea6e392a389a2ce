"""Source study 5 (signal processing for ML, tutorial): filter-bank features + honest CV.

A Gabor bank of 9 filters (3 centre frequencies × 3 widths), each response pooled by
mean, std and max — 27 features per series — then a linear classifier, evaluated by
leave-one-out cross-validation with the *whole* pipeline refitted inside every fold
(no information from the held-out series leaks into scaling or the model). Then PCA
(unsupervised) vs LDA (supervised) as the number of components grows. Data: the UCR
GunPoint set that aeon ships (offline), 200 series of 150 samples, 2 classes.

Run:  python examples/filterbank_classification/run.py [--small] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import LeaveOneOut, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from wavelens.io import atomic_path
from wavelens.transforms import GaborBank
from wavelens.viz import save_figure
from wavelens.viz._style import new_figure


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("filterbank-run"))
    ap.add_argument("--small", action="store_true", help="5-fold CV instead of leave-one-out (for CI)")
    args = ap.parse_args(argv)

    from aeon.datasets import load_gunpoint

    X_train, y_train = load_gunpoint(split="train")
    X_test, y_test = load_gunpoint(split="test")
    X = np.concatenate([X_train, X_test]).astype(np.float32)
    y = np.concatenate([y_train, y_test])
    cv = StratifiedKFold(5, shuffle=True, random_state=0) if args.small else LeaveOneOut()

    bank = GaborBank(frequencies=(0.02, 0.05, 0.1), sigmas=(4.0, 8.0, 16.0), pool=("mean", "std", "max"))
    n_features = bank.fit(X).transform(X).shape[1]
    model = make_pipeline(bank, StandardScaler(), LogisticRegression(max_iter=2000))
    acc = cross_val_score(model, X, y, cv=cv).mean()
    print(f"GunPoint, {len(X)} series: Gabor bank {n_features} features, "
          f"{'5-fold' if args.small else 'leave-one-out'} accuracy {acc:.3f}")

    ks = [1, 2, 3, 5, 8, 12]
    pca_acc, lda_acc = [], []
    for k in ks:
        pca = make_pipeline(GaborBank(frequencies=(0.02, 0.05, 0.1), sigmas=(4.0, 8.0, 16.0)), StandardScaler(),
                            PCA(k), LogisticRegression(max_iter=2000))
        pca_acc.append(cross_val_score(pca, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0)).mean())
        # LDA has at most n_classes - 1 = 1 component; it is the supervised reference
        lda = make_pipeline(GaborBank(frequencies=(0.02, 0.05, 0.1), sigmas=(4.0, 8.0, 16.0)), StandardScaler(),
                            LinearDiscriminantAnalysis(n_components=1))
        lda_acc.append(cross_val_score(lda, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0)).mean())
    args.out.mkdir(parents=True, exist_ok=True)
    with atomic_path(args.out / "metrics.json") as tmp:
        tmp.write_text(json.dumps({"accuracy": acc, "n_features": n_features,
                                   "pca_components": ks, "pca_accuracy": pca_acc, "lda_accuracy": lda_acc[0]},
                                  indent=2))
    fig, axes = new_figure(1, 1, figsize=(6, 4))
    ax = axes[0, 0]
    ax.plot(ks, pca_acc, "o-", label="PCA (unsupervised) + logistic regression")
    ax.axhline(lda_acc[0], ls="--", color="#D55E00", label="LDA, 1 component (supervised)")
    ax.set_xlabel("number of components")
    ax.set_ylabel("5-fold accuracy")
    ax.set_title("GunPoint: Gabor-bank features")
    ax.legend()
    save_figure(fig, args.out / "pca_vs_lda.png")
    print(f"PCA accuracy by components { {k: round(float(a), 3) for k, a in zip(ks, pca_acc)} }; LDA {lda_acc[0]:.3f}")
    print(f"wrote {args.out / 'metrics.json'} and {args.out / 'pca_vs_lda.png'}")
    return args.out


if __name__ == "__main__":
    main()
