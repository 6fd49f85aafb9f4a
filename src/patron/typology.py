"""The book's argument in code: how a patron responds to an arming client.

A client's strategic armament is judged on two dimensions, each either
``"low"`` or ``"high"``: how far it threatens to *entrap* the patron in a war
it would avoid, and how far it threatens the patron's *control* over the
client's security policy. The typology maps the pair to a response:

=============  ============  ===============
entrapment     control       response
=============  ============  ===============
low            low           bystanding
high           low           negotiation
low            high          negotiation
high           high          restraint
=============  ============  ===============
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """How far an armament threatens the patron on one dimension."""

    LOW = "low"
    HIGH = "high"


class Response(StrEnum):
    """The patron's response the typology predicts.

    The values are plain strings, so ``classify("low", "low") == "bystanding"``.
    """

    BYSTANDING = "bystanding"
    NEGOTIATION = "negotiation"
    RESTRAINT = "restraint"


DESCRIPTIONS: dict[Response, str] = {
    Response.BYSTANDING: "The patron lets the armament proceed without binding conditions.",
    Response.NEGOTIATION: (
        "The patron bargains bilaterally to curtail or reorient the armament: "
        "caps, consultation or notification, technology for limits."
    ),
    Response.RESTRAINT: (
        "The patron opposes the armament outright: threats of abandonment, "
        "aid or supply cut-offs, demands to dismantle, or sabotage."
    ),
}


def _level(value: str, dimension: str) -> Level:
    """Read a level, refusing anything that is not exactly 'low' or 'high'."""
    try:
        return Level(value)
    except ValueError:
        raise ValueError(
            f"{dimension} must be 'low' or 'high', not {value!r}"
        ) from None


def classify(entrapment: str, control: str) -> Response:
    """Predict the patron's response from the two threat levels.

    Neither dimension threatened: bystanding. Both threatened: restraint.
    Exactly one threatened: negotiation, because the patron has something to
    protect but also something to offer, and bargains over the threatened
    dimension.

    >>> classify("low", "low")
    <Response.BYSTANDING: 'bystanding'>
    >>> classify("high", "low") == "negotiation"
    True
    """
    threatened = [_level(entrapment, "entrapment"), _level(control, "control")].count(Level.HIGH)
    return {0: Response.BYSTANDING, 1: Response.NEGOTIATION, 2: Response.RESTRAINT}[threatened]
