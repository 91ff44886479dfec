"""A deterministic generator of news-like English sentences, for tokenizers and benchmarks."""

from __future__ import annotations

import random

from ..models import ArticleInput, Block, BlockType

_SUBJECTS = (
    "The city council", "The minister", "Local officials", "A spokesperson for the company",
    "The central bank", "Researchers at the university", "The regional government",
    "Union leaders", "The prime minister", "Health authorities", "The court", "Investors",
    "The committee", "Emergency services", "The national team", "Farmers in the north",
    "The energy regulator", "Teachers", "The mayor", "Police",
)
_VERBS = (
    "announced", "approved", "rejected", "confirmed", "criticized", "welcomed", "proposed",
    "delayed", "reviewed", "expanded", "suspended", "defended", "questioned", "unveiled",
    "completed", "postponed", "signed", "launched", "extended", "challenged",
)
_OBJECTS = (
    "a new budget for public transport", "the plan to build a bridge over the river",
    "an agreement on renewable energy", "the report on water quality",
    "a proposal to raise the minimum wage", "new rules for short-term rentals",
    "the decision to close two hospitals", "a programme to train nurses",
    "the merger of the two largest banks", "the schedule for the national elections",
    "measures to reduce air pollution", "a study on housing prices",
    "the contract for the new railway line", "funding for rural schools",
    "restrictions on fishing in the bay", "a reform of the pension system",
)
_TAILS = (
    "on Tuesday", "after months of debate", "despite strong opposition",
    "earlier this week", "according to a statement", "in a vote of 7 to 2",
    "following the storm", "ahead of the summit in Geneva", "by a narrow margin",
    "for the third time this year", "at a press conference", "late on Friday",
    "with immediate effect", "in response to public pressure", "for 2027",
)
_FOLLOW_UPS = (
    "The measure will cost about {n} million euros.", "Around {n} people attended the meeting.",
    "Critics said the timeline was unrealistic.", "Further details are expected next month.",
    "The vote is scheduled for {month}.", "Officials did not say when work would begin.",
    "Prices rose by {n} percent last year.", "Several groups plan to appeal the decision.",
    "The opposition called for an independent inquiry.",
    "Supporters say it will create {n} jobs.",
)
_MONTHS = ("January", "March", "May", "June", "September", "October", "December")


def sentences(count: int, seed: int = 7, *, unique: bool = False) -> list[str]:
    """Return ``count`` news-like sentences, the same for the same seed (all distinct if asked)."""
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < count:
        if unique and out and out[-1] in seen:
            out.pop()
        elif out:
            seen.add(out[-1])
        if rng.random() < 0.65:
            out.append(f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} "
                       f"{rng.choice(_OBJECTS)} {rng.choice(_TAILS)}.")
        else:
            out.append(rng.choice(_FOLLOW_UPS).format(n=rng.randint(2, 950),
                                                      month=rng.choice(_MONTHS)))
    return out


def paragraphs(count: int, per_paragraph: int, seed: int = 7, *,
               unique: bool = False) -> list[str]:
    """Return ``count`` paragraphs of ``per_paragraph`` sentences each."""
    flat = sentences(count * per_paragraph, seed, unique=unique)
    return [" ".join(flat[i * per_paragraph:(i + 1) * per_paragraph]) for i in range(count)]


def articles(count: int, start: int = 0, *, seed: int = 7,
             prefix: str = "bench") -> list[ArticleInput]:
    """Return ``count`` English articles of three paragraphs each, numbered from ``start``."""
    pool = paragraphs(200, 4, seed)
    return [ArticleInput(guid=f"{prefix}-{n}", title=f"Bench story {n}", language="en",
                         blocks=tuple(Block(BlockType.PARAGRAPH, pool[(n + k) % len(pool)])
                                      for k in range(3)), author="Desk")
            for n in range(start, start + count)]
