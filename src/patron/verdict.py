"""The book's one verdict, written from the data.

Every page that states the verdict (the intro, the theory chapter, the case
overview, the weighing chapter and each period chapter) shows the text this
module returns, and a test checks that the README states the same sentence.
So the verdict cannot drift from page to page, or from the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from patron.coding import coding_table
from patron.scoring import modal_response, score_table
from patron.weighing import group_posterior_table, whole_case
from patron.weighing import leaders as leader_table

WORDS = {0: "none", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
         9: "nine", 10: "ten"}


def words(n: int) -> str:
    """Small numbers in words, as prose writes them."""
    return WORDS.get(n, str(n))


@dataclass(frozen=True)
class Beyond:
    """The numbers of the test beyond Korea."""

    n: int
    clients: int
    typology_hits: int
    modal_response: str
    modal_hits: int
    best_rivals: tuple[str, ...]
    best_rival_hits: int
    p_exact: float

    def text(self) -> str:
        rivals = " and ".join(self.best_rivals)
        if self.typology_hits > self.modal_hits and self.p_exact < 0.05:
            close = "The typology passes the wider test that the Korean record could not run."
        elif self.typology_hits > self.modal_hits:
            close = ("It does better than the baseline there, but not by more than chance allows, so the book "
                     "cannot confirm the typology.")
        else:
            worse = "worse" if self.typology_hits < self.modal_hits else "no better"
            close = (f"It does {worse} there too, so the book does not confirm the typology: the two dimensions, "
                     "coded from what US officials recorded before they decided, do not predict the patron's "
                     "response better than a naive guess.")
        return (
            f"Beyond Korea, on {self.n} episodes across {words(self.clients)} clients coded by the same rule, the "
            f"typology predicts {self.typology_hits}; always predicting the commonest response, "
            f"{self.modal_response}, predicts {self.modal_hits}, and the best rival"
            f"{'s' if len(self.best_rivals) > 1 else ''}, {rivals}, predict{'' if len(self.best_rivals) > 1 else 's'} "
            f"{self.best_rival_hits}; an exact test against the baseline gives a one-sided p-value of "
            f"{self.p_exact:.2f}. {close}"
        )


@dataclass(frozen=True)
class Verdict:
    """The numbers the verdict is made of."""

    n: int
    typology_hits: int
    modal_response: str
    modal_hits: int
    best_rivals: tuple[str, ...]
    best_rival_hits: int
    discriminating: int
    undetermined: int
    judged_hits: int
    response_leads: int
    response_leader: str
    response_leader_leads: int
    case_leader: str
    beyond: Beyond | None = None

    def text(self) -> str:
        """The verdict, as every page states it. Its wording follows the numbers."""
        n = words(self.n)
        if self.typology_hits < self.modal_hits:
            lead = "does worse than a naive baseline"
        elif self.typology_hits == self.modal_hits:
            lead = "does no better than a naive baseline"
        else:
            lead = "beats a naive baseline"
        rivals = " and ".join(self.best_rivals)
        where = "no episode" if self.discriminating == 0 else f"{words(self.discriminating)} of {n} episodes"
        leads = "no episode" if self.response_leads == 0 else f"{words(self.response_leads)} of {n} episodes"
        case = "and in the case as a whole" if self.case_leader == self.response_leader else \
            f"while {self.case_leader} leads in the case as a whole"
        record = (f"The main reason is the record: in {words(self.undetermined)} of {n} episodes the rule found "
                  f"no usable US statement, made before the decision, on either dimension, so the codings there "
                  f"are defaults, not measurements. " if 2 * self.undetermined > self.n else "")
        judged = ("no more than the baseline" if self.judged_hits <= self.modal_hits
                  else "more than the baseline")
        if self.beyond is not None:
            close = self.beyond.text()
        else:
            close = ("The Korean case therefore cannot confirm the typology; a test on other cases, with fuller "
                     "records, must decide it." if self.typology_hits <= self.modal_hits else
                     "The Korean case therefore supports the typology, within the limits of one dyad; a test on "
                     "other cases must show whether it travels.")
        return (
            f"Tested blind to the outcome, the typology {lead} in the Korean case. "
            f"Coded by the published rule, it predicts {words(self.typology_hits)} of the {n} "
            f"settled US responses; always predicting the commonest response, {self.modal_response}, "
            f"predicts {words(self.modal_hits)}, and the best rivals, {rivals}, predict "
            f"{words(self.best_rival_hits)}. "
            f"In {where} does the typology predict something that no baseline predicts. "
            f"Weighed on the response items, which test predictions rather than restate codings, the "
            f"typology leads in {leads}; {self.response_leader} leads in "
            f"{words(self.response_leader_leads)} {case}. "
            f"{record}Our own codings, which read all the evidence and are not blind, predict "
            f"{words(self.judged_hits)}, {judged}. {close}"
        )


def verdict(episodes: pd.DataFrame, evidence: pd.DataFrame, predictions: pd.DataFrame,
            priors: pd.DataFrame, likelihoods: pd.DataFrame, hypotheses: pd.DataFrame) -> Verdict:
    """Compute the verdict's numbers from the validated data frames."""
    from patron.scoring import all_predictions, exact_test, in_scope

    beyond = None
    outside = episodes[in_scope(episodes, "beyond-korea")]
    if not outside.empty:
        names_all = {h: n if n.startswith("North") else n[0].lower() + n[1:]
                     for h, n in zip(hypotheses.hypothesis_id, hypotheses.name)}
        mine = predictions[predictions.episode_id.isin(outside.episode_id)]
        x = score_table(outside, mine, "beyond-korea").set_index("rule")
        xr = x.drop(index=["H_TYP", "BASE_MODAL", "BASE_E_ONLY", "BASE_C_ONLY"])
        xbest = int(xr.hits.max())
        beyond = Beyond(
            n=len(outside), clients=outside.client.nunique(), typology_hits=int(x.loc["H_TYP", "hits"]),
            modal_response=modal_response(list(outside.observed_response)), modal_hits=int(x.loc["BASE_MODAL", "hits"]),
            best_rivals=tuple(f"the {names_all[h]}" for h in xr.index[xr.hits == xbest]), best_rival_hits=xbest,
            p_exact=exact_test(all_predictions(outside, mine))["p_one_sided"])
    korea = in_scope(episodes, "korea")
    episodes = episodes[korea]
    evidence = evidence[evidence.episode_id.isin(episodes.episode_id)]
    predictions = predictions[predictions.episode_id.isin(episodes.episode_id)]
    names = {h: n if n.startswith("North") else n[0].lower() + n[1:]
             for h, n in zip(hypotheses.hypothesis_id, hypotheses.name)}
    order = list(hypotheses.hypothesis_id)
    scores = score_table(episodes, predictions, "korea").set_index("rule")
    rivals = scores.drop(index=["H_TYP", "BASE_MODAL", "BASE_E_ONLY", "BASE_C_ONLY"])
    best = int(rivals.hits.max())
    codings = coding_table(episodes, evidence)
    blank = codings.flag.isin(["no eligible items", "only unclear items"])
    undetermined = int(blank.groupby(codings.episode_id).all().sum())
    judged = sum(_classify(e, c) == o for e, c, o in
                 zip(episodes.judged_entrapment, episodes.judged_control, episodes.observed_response))
    weighed = group_posterior_table(priors, likelihoods, evidence, order, groups=["response items"])
    leaders = leader_table(weighed).hypothesis_id.value_counts()
    leader = max(order, key=lambda h: (leaders.get(h, 0), -order.index(h)))
    case = whole_case(likelihoods, evidence, order, groups=["response items"]).set_index("hypothesis_id").posterior
    return Verdict(
        n=int(scores.loc["H_TYP", "n"]), typology_hits=int(scores.loc["H_TYP", "hits"]),
        modal_response=modal_response(list(episodes.observed_response)),
        modal_hits=int(scores.loc["BASE_MODAL", "hits"]),
        best_rivals=tuple(f"the {names[h]}" for h in rivals.index[rivals.hits == best]), best_rival_hits=best,
        discriminating=int(scores.loc["H_TYP", "discriminating_n"]), undetermined=undetermined,
        judged_hits=int(judged), response_leads=int(leaders.get("H_TYP", 0)),
        response_leader=f"the {names[leader]} rival", response_leader_leads=int(leaders[leader]),
        case_leader=f"the {names[case.idxmax()]} rival", beyond=beyond)


def _classify(entrapment: str, control: str) -> str:
    from patron.typology import classify

    return classify(entrapment, control).value


def book_verdict() -> Verdict:
    """The verdict from the committed data (loads and validates the package)."""
    from patron.data import (load_episodes, load_evidence, load_hypotheses, load_likelihoods, load_predictions,
                             load_priors)

    return verdict(load_episodes(), load_evidence(), load_predictions(), load_priors(), load_likelihoods(),
                   load_hypotheses())


def verdict_admonition(v: Verdict | None = None) -> "Markdown":
    """The verdict as the boxed statement every page that states it shows."""
    from IPython.display import Markdown

    v = v or book_verdict()
    return Markdown(f"```{{admonition}} The verdict\n:class: important verdict\n\n{v.text()}\n```\n")
