"""Scoring candidate pairs with Splink (probabilistic record linkage, DuckDB backend).

Splink does the Fellegi–Sunter work: it generates the pairs from the blocking rules (SQL joins
in DuckDB, so the work grows with the number of customers, not its square), puts every field
comparison into one of its levels, weighs each level with log2(m/u) (m: how often true
duplicates show that level, u: how often unrelated customers do), adjusts the name and city
weights for how common the value is (term frequencies: a rare name that matches says more than
«علی محمدی» matching), and turns the summed weights into a match probability.

What Splink compares is CKM's own normalised form of each customer (`features.features`:
Persian letter folding, ZWNJ, digits, +98/0098/0 phones, honorifics dropped, Persian ↔ Latin
sound keys). The name and email levels are CKM's own rules (`scoring.name_reason`,
`scoring.email_reason`), given to DuckDB as SQL functions, so "names 92 % alike" and "one typo
apart" mean the same thing in the model, in its reasons and in the unit tests.

The m and u values are trained, not hand-set: `train()` estimates u from random pairs and m by
expectation maximisation (fixed seed), and `tests/bench/train_duplicates.py` stores the result
in `model.json` next to this file, which detection loads.

This module trains, loads and runs the model; its parts live beside it, one job each:
- `linkage_frame`: the customers as Splink's input table and the blocking keys;
- `linkage_comparisons`: the comparisons and their levels (CKM's rules as SQL functions);
- `linkage_reasons`: the plain-words reasons of a scored pair, with each field's weight.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ckm.services.duplicates.features import Features
from ckm.services.duplicates.linkage_comparisons import (
    _COMPARISONS,
    connect,
    email_level,
    name_level,
    place_level,
    settings,
)
from ckm.services.duplicates.linkage_frame import (
    BLOCKS,
    CONTACT_BLOCK,
    block_values,
    blocking_rules,
    contact_block_values,
    frame,
)
from ckm.services.duplicates.linkage_reasons import field_reasons
from ckm.services.duplicates.scoring import Match

if TYPE_CHECKING:
    import pyarrow

__all__ = [
    "BLOCKS",
    "CONTACT_BLOCK",
    "MODEL_PATH",
    "M_FLOOR",
    "TRAINING_SEED",
    "Scored",
    "block_values",
    "blocking_rules",
    "connect",
    "contact_block_values",
    "email_level",
    "field_reasons",
    "frame",
    "load_model",
    "name_level",
    "place_level",
    "predict",
    "settings",
    "train",
]

MODEL_PATH = Path(__file__).with_name("model.json")
TRAINING_SEED = 20261130
M_FLOOR = 1e-3

# Splink's progress messages stay out of CKM's logs; its warnings go through them (Splink is
# told not to configure logging itself: `log_level=None`).
logging.getLogger("splink").setLevel(logging.WARNING)


def train(items: Sequence[Features], *, seed: int = TRAINING_SEED) -> dict[str, Any]:
    """Estimate the model on these customers (unsupervised; reproducible with the seed).

    u from a random sample of pairs (nearly all different customers), except for two firms'
    registered names, which random pairs cannot measure (`registered_name_u`); the share of
    duplicates among all pairs from two near-certain rules; m by expectation maximisation
    twice, once on pairs sharing a phone (learns the name, email and city levels) and once on
    pairs sharing a name sound key (learns the phone levels).
    """
    from splink import DuckDBAPI, Linker, block_on

    by_id = {item.id: item for item in items}
    api = DuckDBAPI(connect(by_id))
    linker = Linker(api.register(frame(items)), settings(), log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [
            "l.phone = r.phone and l.key_sorted = r.key_sorted",
            "l.email = r.email and l.key_sorted = r.key_sorted",
            "l.national_id = r.national_id",
        ],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    _birth_date_u(linker, items)
    _registered_name_u(linker, items)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("key_sorted"))
    model: dict[str, Any] = linker.misc.save_model_to_json()
    # Ten significant digits: DuckDB's parallel sums differ in the last bits from run to run,
    # and the stored model should not.
    model["linker_uid"] = "ckm"
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            # A level true duplicates never showed in training (a company against a person,
            # a birth date typed with day and month swapped) still happens now and then:
            # its m stays at least M_FLOOR, so one slip cannot outweigh every other field.
            level["m_probability"] = max(float(level.get("m_probability") or 0.0), M_FLOOR)
        # A level random pairs never showed is as rare among different customers as the
        # rarest level of its field (not counting "all other", which nearly all pairs show).
        known = [
            level["u_probability"]
            for level in comparison["comparison_levels"][:-1]
            if isinstance(level.get("u_probability"), float)
        ]
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level") and level.get("u_probability") is None and known:
                level["u_probability"] = min(known)
        for level in comparison["comparison_levels"]:
            for key in ("m_probability", "u_probability"):
                if isinstance(level.get(key), float):
                    level[key] = float(f"{level[key]:.10g}")
    share = float(model["probability_two_random_records_match"])
    model["probability_two_random_records_match"] = float(f"{share:.10g}")
    return {"ckm": {"records": len(items), "seed": seed}, "splink": model}


def _birth_date_u(linker: Any, items: Sequence[Features]) -> None:
    """u of the birth-date levels from the dates themselves when the random sample saw none:
    few customers carry a birth date, so 2 million random pairs may hold no two equal ones,
    and an unobserved u would leave "same birth date" without weight (or, filled with the
    "different" level's u of nearly 1, make it count against). Instead: the share of ordered
    pairs of customers with birth dates that share one (at least one pair's worth; true
    duplicates among them make it an overestimate, so the evidence is understated, not
    overstated); a day-and-month swap is taken as about as likely."""
    counts = Counter(item.birth_date for item in items if item.birth_date)
    total = sum(counts.values())
    if total < 2:
        return
    pairs = total * (total - 1)
    chance = max(sum(count * (count - 1) for count in counts.values()), 1) / pairs
    for comparison in linker._settings_obj.comparisons:
        if comparison.output_column_name != "birth_date":
            continue
        for level in comparison.comparison_levels[1:-1]:  # between NULL and "all other"
            # Splink's own record of the sample: no number, or "not observed".
            if not isinstance(level._u_probability, float):
                level.u_probability = chance


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


def registered_name_u(items: Sequence[Features]) -> tuple[float, int, int]:
    """(u of "same registered company name", firms-known-different pairs sharing one, such
    pairs): measured on pairs of companies known to be different firms, not on random pairs.

    Random pairs cannot measure it: two records with one registered name are nearly always one
    firm written twice, so the random sample's share of such pairs counts true duplicates (on
    the tuning data every one of them), and the level came out as weak as a person's name. Two
    firms both carrying a national id (شناسه ملی) that differs are different firms; among those
    pairs, the share that still has one registered name is what u means. None observed is not
    a u of zero: the estimate is (k + 1/2) / (n + 1) (Jeffreys) of k in n pairs, times the share
    of all pairs that are two companies with names (the level's condition).
    """
    companies = [item for item in items if item.kind == "company" and item.registered]
    with_id = [item for item in companies if item.national_id]
    by_id = Counter(item.national_id for item in with_id)
    by_name = Counter(item.registered for item in with_id)
    by_both = Counter((item.registered, item.national_id) for item in with_id)
    different = _pairs(len(with_id)) - sum(_pairs(count) for count in by_id.values())
    shared = sum(_pairs(count) for count in by_name.values()) - sum(
        _pairs(count) for count in by_both.values()
    )
    share = _pairs(len(companies)) / max(_pairs(len(items)), 1)
    return (shared + 0.5) / (different + 1) * share, shared, different


def _registered_name_u(linker: Any, items: Sequence[Features]) -> None:
    """Sets u of the "same registered company name" level (`registered_name_u`), in place of
    the random sample's (Splink's record of the level's training, which each later training
    step reads back)."""
    u, shared, pairs = registered_name_u(items)
    for comparison in linker._settings_obj.comparisons:
        if comparison.output_column_name != "name":
            continue
        for level in comparison.comparison_levels:
            if level.label_for_charts == "company_registered":
                level.u_probability = u
                level._trained_u_probabilities = [
                    {
                        "probability": u,
                        "description": f"{shared} of {pairs} pairs of firms known to differ",
                        "m_or_u": "u",
                    }
                ]


def load_model(path: Path = MODEL_PATH) -> dict[str, Any]:
    model: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return model


def _prior(model: dict[str, Any], customers: int) -> float:
    """The share of duplicates among all pairs: the training base's, whatever the size.

    The textbook choice scales it by 1/n (each customer has about as many duplicates in a base
    of any size). On the tuning data at 100,000 customers that cost 3 points of recall at the
    default threshold for no precision (0.9989 against 0.9986): the summed weights of fields that
    are not independent (a shared phone and a shared name) already overstate the evidence, and
    the smaller prior only moved the threshold. `customers` is kept for that choice.
    """
    del customers
    return float(model["splink"]["probability_two_random_records_match"])


# Term frequencies are shrunk towards the trained average so that a small base (ten customers,
# where every name is "10 % of all names") is not read as all-common names.
_TF_PSEUDO_RECORDS = 10000


def _exact_u(model: dict[str, Any], comparison: str, column: str) -> float:
    for item in model["splink"]["comparisons"]:
        if item["output_column_name"] != comparison:
            continue
        for level in item["comparison_levels"]:
            if level.get("sql_condition") == f'"{column}_l" = "{column}_r"':
                return float(level["u_probability"])
    raise KeyError(column)


def _term_frequencies(values: Iterable[str | None], prior_u: float) -> pyarrow.Table | None:
    import pyarrow

    counts = Counter(value for value in values if value)
    total = sum(counts.values())
    if not counts:
        return None
    keys = list(counts)
    return pyarrow.table(
        {
            "value": keys,
            "tf": [
                (counts[key] + _TF_PSEUDO_RECORDS * prior_u) / (total + _TF_PSEUDO_RECORDS)
                for key in keys
            ],
        }
    )


@dataclass(frozen=True)
class Scored:
    low: int
    high: int
    match: Match


def predict(
    items: Sequence[Features],
    *,
    min_score: float,
    model: dict[str, Any] | None = None,
    timings: dict[str, float] | None = None,
) -> tuple[int, list[Scored]]:
    """(pairs compared, the pairs whose match probability is at least `min_score`);
    `timings` receives the seconds spent building the input ("frame"), in Splink ("predict")
    and writing the reasons ("reasons")."""
    if len(items) < 2:
        return 0, []
    clock = time.perf_counter()
    from splink import DuckDBAPI, Linker

    model = model or load_model()
    splink_model = dict(model["splink"])
    splink_model["probability_two_random_records_match"] = _prior(model, len(items))
    by_id = {item.id: item for item in items}
    connection = connect(by_id)
    api = DuckDBAPI(connection)
    linker = Linker(api.register(frame(items)), splink_model, log_level=None)
    spent = {"frame": time.perf_counter() - clock}
    clock = time.perf_counter()
    for column, comparison in (("key_sorted", "name"), ("city", "city")):
        table = _term_frequencies(
            (getattr(item, column) for item in items), _exact_u(model, comparison, column)
        )
        if table is not None:
            lookup = api.register(
                table.rename_columns([column, f"tf_{column}"]), table_name=f"ckm_tf_{column}"
            )
            linker.table_management.register_term_frequency_lookup(lookup, column)
    predictions = linker.inference.predict(warning_mode="never")
    table_name = predictions.physical_name
    compared = int(connection.sql(f"SELECT count(*) FROM {table_name}").fetchall()[0][0])  # noqa: S608
    weight_columns = ", ".join(
        f"coalesce(mw_{name}, 0)"
        + (f" + coalesce(mw_tf_adj_{name}, 0)" if name in ("name", "city") else "")
        for name in _COMPARISONS
    )
    rows = connection.sql(
        f"SELECT unique_id_l, unique_id_r, match_weight, match_probability, {weight_columns} "  # noqa: S608
        f"FROM {table_name} WHERE match_probability >= {float(min_score)!r}"
    ).fetchall()
    spent["predict"] = time.perf_counter() - clock
    clock = time.perf_counter()
    found: list[Scored] = []
    for left, right, weight, chance, *parts in rows:
        low, high = sorted((int(left), int(right)))
        weights = dict(zip(_COMPARISONS, (float(part) for part in parts), strict=True))
        reasons = field_reasons(by_id[low], by_id[high], weights)
        found.append(Scored(low, high, Match(float(weight), float(chance), reasons)))
    connection.close()
    spent["reasons"] = time.perf_counter() - clock
    if timings is not None:
        timings.update(spent)
    return compared, found
