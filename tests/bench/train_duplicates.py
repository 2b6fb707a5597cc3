"""Train the Splink duplicate model and store it (not a pytest module).

    python tests/bench/train_duplicates.py [--records 10000] [--seed 101]

Trains on the tuning data set of tests/bench/dup_data.py (seed 101, never on the held-out seeds
the benchmark reports) without its labels: u from random pairs, m by expectation maximisation,
both with a fixed sampling seed, so the same command writes the same model. The result is
ckm/services/duplicates/model.json, which detection loads. To train on a real customer base
instead, pass the customers' `features` to `linkage.train` the same way.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dup_data import generate

from ckm.services.duplicates import linkage
from ckm.services.duplicates.features import features

TUNING_SEED = 101


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=TUNING_SEED)
    parser.add_argument("--out", type=Path, default=linkage.MODEL_PATH)
    args = parser.parse_args()
    records, _ = generate(args.records, args.seed)
    items = [features(i, **r.fields()) for i, r in enumerate(records)]
    model = linkage.train(items)
    model["ckm"]["data"] = f"tests/bench/dup_data.py seed {args.seed}, {len(items)} records"
    args.out.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
