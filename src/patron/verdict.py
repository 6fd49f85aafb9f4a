"""The book's one verdict, written from the data.

The verdict stands where a reader weighs the whole (the introduction, the
findings of the measurement chapter, the weighing chapter, the chapter beyond
Korea and the conclusion), and a test checks that the README states the same
sentence. So it cannot drift from page to page, or from the numbers.

Its headline is the result on the episodes where both perceptions the
typology reads were *measured*: an unmeasured perception is missing, never a
prediction. Coverage stands beside it, and so do the bounds over every way the
missing codings could be filled.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

WORDS = {0: "none", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
         9: "nine", 10: "ten"}
BASELINES = ("BASE_MODAL", "BASE_LOO_MODAL", "BASE_LOO_RATE", "BASE_E_ONLY", "BASE_C_ONLY")


def words(n: int) -> str:
    """Small numbers in words, as prose writes them."""
    return WORDS.get(n, str(n))


@dataclass(frozen=True)
class Verdict:
    """The numbers the verdict is made of."""

    n: int
    n_korea: int
    both: int
    both_korea: int
    one: int
    typology_hits: int
    modal_hits: int
    loo_hits: int
    best_rivals: tuple[str, ...]
    best_rival_hits: int
    hits_min: int
    hits_max: int
    modal_hits_all: int
    brier_typology: float
    brier_rate: float
    default_low_hits: int

    def text(self) -> str:
        """The verdict, as every page that states it states it. Its wording follows the numbers."""
        m = self.both
        if m == 0:
            result = ("In no episode are both perceptions on the record, so the typology makes no prediction "
                      "that can be scored.")
        else:
            if self.typology_hits < max(self.modal_hits, self.loo_hits):
                how = "worse than"
            elif self.typology_hits == max(self.modal_hits, self.loo_hits):
                how = "no better than"
            else:
                how = "better than"
            rivals = " and ".join(self.best_rivals)
            result = (f"On {'that episode' if m == 1 else f'those {words(m)}'} it is right in "
                      f"{words(self.typology_hits)}; always predicting the commonest response is right in "
                      f"{words(self.modal_hits)}, predicting the commonest response of the other episodes in "
                      f"{words(self.loo_hits)}, and the best rival{'s' if len(self.best_rivals) > 1 else ''}, "
                      f"{rivals}, in {words(self.best_rival_hits)}: "
                      f"the typology does {how} a naive baseline where it can be tested.")
        decided = self.hits_max < self.modal_hits_all or self.hits_min > self.modal_hits_all
        bounds = (f"Over every way of filling the unmeasured codings, its hits across all {self.n} episodes "
                  f"could lie anywhere from {words(self.hits_min)} to {self.hits_max}, against "
                  f"{self.modal_hits_all} for the commonest response, so "
                  + ("the missing record could not change the comparison. " if decided else
                     "the missing record, not the typology, decides the comparison. "))
        typ, rate = round(self.brier_typology, 2), round(self.brier_rate, 2)
        compared = "the same to two decimals" if typ == rate else ("better" if typ < rate else "worse")
        brier = (f"Scored as a probability spread over the responses its measured inputs allow, the typology's "
                 f"mean Brier score (the squared gap between the probabilities given and what happened: 0 is "
                 f"perfect, 2 the worst) is {typ:.2f} against {rate:.2f} for the other episodes' base rate "
                 f"({compared}).")
        if 2 * m < self.n:
            close = (" The typology is therefore mostly untested, not refuted: the US record, as far as the "
                     "logged search could read it, rarely shows what officials perceived before they decided.")
        else:
            close = ""
        return (
            f"Measured from what US officials recorded before they decided, and tagged by two coders who saw "
            f"neither the outcomes nor the predictions, "
            f"both perceptions the typology reads are on the record in {words(m)} of the {self.n} episodes "
            f"({words(self.both_korea)} of the {words(self.n_korea)} in Korea), and one of them in "
            f"{words(self.one)} more. {result} {bounds}{brier} Read as the previous version read it, with every "
            f"missing perception set to low, the typology was right in {words(self.default_low_hits)} of "
            f"{self.n}.{close}"
        )


def verdict(episodes: pd.DataFrame, predictions: pd.DataFrame, hypotheses: pd.DataFrame) -> Verdict:
    """Compute the verdict's numbers from the validated data frames."""
    from patron.measured import coverage, default_low_scores, on_measured, score_rows

    names = dict(zip(hypotheses.hypothesis_id, hypotheses.name))  # each rival by its one name
    cover = coverage(episodes).set_index("scope")
    same = on_measured(episodes, predictions, "H_TYP", "all").set_index("rule").hits
    rivals = same.drop(index=["H_TYP", *BASELINES, "H_CTL", "H_ASDW"], errors="ignore")
    best = int(rivals.max()) if len(rivals) else 0
    scores = score_rows(episodes, predictions)
    everything = scores[scores.scope == "all"].set_index("rule")
    low = default_low_scores(episodes).set_index("scope")
    return Verdict(
        n=int(cover.loc["all", "n"]), n_korea=int(cover.loc["korea", "n"]) if "korea" in cover.index else 0,
        both=int(cover.loc["all", "both"]),
        both_korea=int(cover.loc["korea", "both"]) if "korea" in cover.index else 0,
        one=int(cover.loc["all", "one"]),
        typology_hits=int(same.get("H_TYP", 0)), modal_hits=int(same.get("BASE_MODAL", 0)),
        loo_hits=int(same.get("BASE_LOO_MODAL", 0)),
        best_rivals=tuple(names[h] for h in rivals.index[rivals == best]), best_rival_hits=best,
        hits_min=int(everything.loc["H_TYP", "hits_min"]), hits_max=int(everything.loc["H_TYP", "hits_max"]),
        modal_hits_all=int(everything.loc["BASE_MODAL", "hits"]),
        brier_typology=float(everything.loc["H_TYP", "brier"]),
        brier_rate=float(everything.loc["BASE_LOO_RATE", "brier"]),
        default_low_hits=int(low.loc["all", "hits"]))


def book_verdict() -> Verdict:
    """The verdict from the committed data (loads and validates the package)."""
    from patron.data import load_episodes, load_hypotheses, load_predictions

    return verdict(load_episodes(), load_predictions(), load_hypotheses())


def verdict_admonition(v: Verdict | None = None) -> "Markdown":
    """The verdict as the boxed statement every page that states it shows."""
    from IPython.display import Markdown

    v = v or book_verdict()
    return Markdown(f"```{{admonition}} The verdict\n:class: important verdict\n\n{v.text()}\n```\n")
