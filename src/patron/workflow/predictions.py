"""Write ``predictions.csv`` from the rules: the typology's from the codings, every rival's from its inputs.

Run after anything its inputs depend on changes (the blind tags, the response
dates, the armament features, the rivals' inputs)::

    python -m patron.workflow.predictions

The validator recomputes every row, so this is a convenience, not an authority.
"""

from __future__ import annotations

import sys

import pandas as pd

from patron.coding import earliest
from patron.paths import DATA_DIR
from patron.rivals import PERCEPTION_RULES, explain, rival_predictions


def write() -> None:
    """Rebuild predictions.csv: one row per episode and hypothesis, in the order of episodes.csv."""
    from patron.workflow.tagging import _mechanical_rationale

    read = lambda name: pd.read_csv(DATA_DIR / name, dtype=str, keep_default_na=False)  # noqa: E731
    episodes, armaments, inputs = read("episodes.csv"), read("armaments.csv"), read("rival_inputs.csv")
    hypotheses = list(read("hypotheses.csv").hypothesis_id)
    rules = rival_predictions(episodes, armaments, inputs).set_index(["episode_id", "hypothesis_id"])
    arms, given, levels = (armaments.set_index("episode_id"), inputs.set_index("episode_id"),
                           episodes.set_index("episode_id"))
    rows = []
    for ep in episodes.itertuples():
        decided = earliest(ep.decided_on, ep.decided_precision)
        for rule in hypotheses:
            if rule == "H_TYP":
                predicted = ep.predicted_response
                why = _mechanical_rationale(rule, levels.loc[ep.episode_id], predicted)
            else:
                predicted = rules.loc[(ep.episode_id, rule), "predicted_response"]
                why = (_mechanical_rationale(rule, levels.loc[ep.episode_id], predicted) if rule in PERCEPTION_RULES
                       else explain(rule, predicted, arms.loc[ep.episode_id], given.loc[ep.episode_id], ep.client,
                                    decided))
            rows.append({"episode_id": ep.episode_id, "hypothesis_id": rule, "predicted_response": predicted,
                         "rationale": why})
    pd.DataFrame(rows).to_csv(DATA_DIR / "predictions.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    write()
    sys.exit(0)
