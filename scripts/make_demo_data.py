"""Regenerate wavelens/datasets/data/vibration_demo.npz from the simulator.

Run: python scripts/make_demo_data.py   (tests/datasets check the file matches)
"""

import numpy as np

from wavelens.datasets import demo_path, make_demo
from wavelens.io import atomic_path


def main() -> None:
    s = make_demo()
    with atomic_path(demo_path()) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(
                fh,
                X=s.to_numpy(),
                fs=np.float64(s.fs),
                ids=s.ids.astype(str),
                labels=s.labels,
                split=s.metadata["split"].to_numpy().astype(str),
                anomaly=s.metadata["anomaly"].to_numpy().astype(str),
            )
    print(f"wrote {demo_path()} ({demo_path().stat().st_size} bytes)")


if __name__ == "__main__":
    main()
