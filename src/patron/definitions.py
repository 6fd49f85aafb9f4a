"""The three response definitions, as whole data sets the scoring code can read unchanged.

The headline scores the *settled* response, with perceptions recorded before
its date (``decided_on``). Two sensitivities score the other definitions:

- **first**: the first US response, with perceptions recorded before *its* date
  (``first_on``), so every coding and every rule's prediction is recomputed
  from the earlier cut-off;
- **strongest**: the most opposed response at any point. The coders gave it no
  date, so the perceptions stay those recorded before the settled response.

Each function returns copies; the data on disk are never changed.
"""

from __future__ import annotations

import pandas as pd

from patron.coding import coding_table
from patron.rivals import rival_predictions
from patron.typology import classify

DEFINITIONS: tuple[str, ...] = ("settled", "first", "strongest")


def episodes_as(definition: str, episodes: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """The episodes with ``observed_response`` (and, for *first*, the decision date and codings) of a definition."""
    out = episodes.copy()
    if definition == "settled":
        return out
    if definition == "strongest":
        out["observed_response"] = out.strongest_response
        return out
    if definition != "first":
        raise ValueError(f"unknown response definition {definition!r}; expected one of {DEFINITIONS}")
    out["observed_response"] = out.first_response
    out["decided_on"], out["decided_precision"] = out.first_on, out.first_precision
    levels = coding_table(out, evidence).pivot(index="episode_id", columns="dimension", values="level")
    out["entrapment"] = out.episode_id.map(levels.entrapment)
    out["control"] = out.episode_id.map(levels.control)
    out["predicted_response"] = [classify(e, c).value if {e, c} <= {"high", "low"} else ""
                                 for e, c in zip(out.entrapment, out.control)]
    return out


def predictions_as(definition: str, episodes: pd.DataFrame, predictions: pd.DataFrame, armaments: pd.DataFrame,
                   inputs: pd.DataFrame) -> pd.DataFrame:
    """Every rule's predictions under a definition (recomputed by rule when the decision date moves)."""
    if definition != "first":
        return predictions
    rules = rival_predictions(episodes, armaments, inputs)
    typology = episodes[["episode_id", "predicted_response"]].assign(hypothesis_id="H_TYP")
    out = pd.concat([typology, rules], ignore_index=True)
    keep = set(predictions.hypothesis_id)
    return out[out.hypothesis_id.isin(keep)].reset_index(drop=True)
