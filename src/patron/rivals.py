"""The rivals' predictions, derived by rule from inputs coded without the responses.

Version 0.4 assigned the rivals' predictions by hand, with the responses in
view. Here every rival is a function of inputs that were coded by people who
did not see the US responses (the armament's technical features in
``armaments.csv``; the adversary, its threat trend, the client's dependence and
the programme's stage in ``rival_inputs.csv``) or that are matters of public
record (a treaty date). ``predictions.csv`` holds what these functions return;
the validator recomputes them, so a hand-edited prediction cannot stand.

Each rival is stated as its authors would state it, in its conditional form:

- **Burden sharing** (Olson and Zeckhauser; Plümper and Neumayer): an ally's
  arming against an adversary the patron shares adds to the common defence and
  is accepted (bystanding); arming aimed elsewhere is resisted (restraint).
- **Security dilemma, strong** (Snyder; Pressman): the patron opposes
  (restraint) an armament that gives the client an autonomous capacity to
  escalate, meaning one outside US or allied command that is nuclear (a
  weapon or a step toward one) or can reach the adversary's capital or a great
  power's territory; it accepts one that does not (bystanding).
- **Security dilemma, one-dimensional** and **control** read the measured
  perceptions of entrapment and of control alone (they equal the
  one-dimensional baselines and are reported as such).
- **Nonproliferation regime** (Gavin; Mistry; the MTCR guidelines): a
  nuclear-weapons programme of a state that has not tested a weapon is met
  with restraint; a fuel-cycle step, a weapons option or naval nuclear
  propulsion with negotiation over consent rights and safeguards; a missile or
  launcher of a state with nuclear weapons with acceptance; from the MTCR's
  announcement (16 April 1987) a missile or launcher at or above its Category
  I threshold (300 km and 500 kg) with negotiation, and one below it with
  acceptance. Before the MTCR there was no missile threshold, so for missiles
  decided earlier the rival makes no prediction.
- **Adversary threat** (Kim): the patron loosens or accepts when the common
  adversary's threat is rising (bystanding) and holds its terms when it is
  steady or falling (negotiation). It cannot yield restraint.
- **Bargaining over the bomb's form** (Rabinowitz and Miller 2015): for a
  nuclear-weapons programme or option, the patron tries to prevent it while it
  is early (restraint) and, once prevention has failed because the programme
  is advanced, bargains over its form (negotiation). Other armaments: no
  prediction.
- **Alliance coercion** (Gerzhoy 2015): for a nuclear programme or option of a
  client militarily dependent on the United States, the patron threatens
  abandonment to stop it (restraint). Where the client is not dependent the
  theory says coercion fails, not what the patron does: no prediction.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from patron.coding import earliest
from patron.scoring import one_dimension

MTCR_ANNOUNCED = dt.date(1987, 4, 16)
# First nuclear test of each client that had one, for the regime's weapon-state clause.
FIRST_TEST: dict[str, dt.date] = {"United Kingdom": dt.date(1952, 10, 3), "France": dt.date(1960, 2, 13)}
MISSILES = ("ballistic-missile", "cruise-missile", "space-launcher", "strategic-delivery")
RULE_DERIVED: tuple[str, ...] = ("H_BS", "H_ASD", "H_REG", "H_THR", "H_RM", "H_LEV")
PERCEPTION_RULES: dict[str, str] = {"H_CTL": "control", "H_ASDW": "entrapment"}


def _number(value: str) -> float | None:
    return None if value in ("n/a", "unknown", "") else float(value)


def burden_sharing(inputs: pd.Series) -> str:
    """Bystanding against a shared adversary, restraint otherwise."""
    return {"yes": "bystanding", "no": "restraint"}.get(inputs.shared_adversary, "")


def security_dilemma(arms: pd.Series) -> str:
    """Restraint for an autonomous capacity to escalate, bystanding otherwise."""
    escalates = arms.nuclear in ("weapon", "latent") or "yes" in (arms.reach_capital, arms.reach_great_power)
    return "restraint" if arms.integration == "low" and escalates else "bystanding"


def regime(arms: pd.Series, client: str, decided: dt.date) -> str:
    """The nonproliferation regime's categorical thresholds."""
    weapon_state = client in FIRST_TEST and FIRST_TEST[client] <= decided
    if arms.armament_class in MISSILES:
        if weapon_state:
            return "bystanding"
        if decided < MTCR_ANNOUNCED:
            return ""
        rng, payload = _number(arms.range_km), _number(arms.payload_kg)
        if rng is None or payload is None:
            return ""
        return "negotiation" if rng >= 300 and payload >= 500 else "bystanding"
    if arms.armament_class == "nuclear-weapons" and arms.nuclear == "weapon":
        return "bystanding" if weapon_state else "restraint"
    if arms.armament_class in ("fuel-cycle", "nuclear-submarine", "nuclear-weapons"):
        return "negotiation"
    return ""


def threat(inputs: pd.Series) -> str:
    """Bystanding when the common adversary's threat is rising, negotiation when it is not."""
    return {"rising": "bystanding", "steady": "negotiation", "falling": "negotiation"}.get(inputs.threat_trend, "")


def bomb_form(inputs: pd.Series) -> str:
    """Rabinowitz and Miller: prevent an early programme, bargain over an advanced one."""
    return {"early": "restraint", "advanced": "negotiation"}.get(inputs.stage, "")


def alliance_coercion(inputs: pd.Series) -> str:
    """Gerzhoy: coerce a dependent client's nuclear programme; silent otherwise."""
    return "restraint" if inputs.stage in ("early", "advanced") and inputs.dependence == "high" else ""


def rival_predictions(episodes: pd.DataFrame, armaments: pd.DataFrame, inputs: pd.DataFrame) -> pd.DataFrame:
    """Every rule-derived rival's prediction in every episode (long form, like predictions.csv)."""
    arms, given = armaments.set_index("episode_id"), inputs.set_index("episode_id")
    rows = []
    for ep in episodes.itertuples():
        a, i = arms.loc[ep.episode_id], given.loc[ep.episode_id]
        decided = earliest(ep.decided_on, ep.decided_precision)
        said = {"H_BS": burden_sharing(i), "H_ASD": security_dilemma(a), "H_REG": regime(a, ep.client, decided),
                "H_THR": threat(i), "H_RM": bomb_form(i), "H_LEV": alliance_coercion(i)}
        for rule in PERCEPTION_RULES:
            said[rule] = one_dimension(getattr(ep, PERCEPTION_RULES[rule]))
        for rule, predicted in said.items():
            rows.append({"episode_id": ep.episode_id, "hypothesis_id": rule, "predicted_response": predicted})
    return pd.DataFrame(rows)


NAMES = {"H_BS": "Burden sharing", "H_ASD": "The strong security dilemma", "H_REG": "The regime rival",
         "H_THR": "The threat rival", "H_RM": "The bomb's-form rival (Rabinowitz and Miller)",
         "H_LEV": "The alliance-coercion rival (Gerzhoy)"}


def explain(rule: str, predicted: str, arms: pd.Series, inputs: pd.Series, client: str, decided: dt.date) -> str:
    """Why a rule-derived rival predicts what it does, from its inputs, in one sentence."""
    outcome = f"so it predicts {predicted}" if predicted else "so it makes no prediction here"
    if rule == "H_BS":
        basis = (f"the armament's principal adversary is {inputs.adversary}, "
                 f"{'an adversary the United States shares' if inputs.shared_adversary == 'yes' else 'not an adversary the United States shares'}")
    elif rule == "H_ASD":
        basis = (f"integration is {arms.integration}, nuclear {arms.nuclear}, reach to the adversary's capital "
                 f"{arms.reach_capital}, to a great power {arms.reach_great_power}")
    elif rule == "H_REG":
        weapon_state = client in FIRST_TEST and FIRST_TEST[client] <= decided
        basis = (f"class {arms.armament_class}, nuclear {arms.nuclear}, range {arms.range_km} km, payload "
                 f"{arms.payload_kg} kg, a {'state that had tested a weapon' if weapon_state else 'state without a tested weapon'}, "
                 f"decided {'after' if decided >= MTCR_ANNOUNCED else 'before'} the MTCR's announcement")
    elif rule == "H_THR":
        basis = f"the threat from {inputs.adversary} was {inputs.threat_trend} in the three years before"
    elif rule == "H_RM":
        basis = f"the nuclear programme's stage is {inputs.stage}"
    else:
        basis = f"the nuclear programme's stage is {inputs.stage} and the client's dependence on the United States {inputs.dependence}"
    return f"{NAMES[rule]}, by its rule: {basis}; {outcome}."
