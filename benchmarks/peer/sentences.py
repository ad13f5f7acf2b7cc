"""200 varied English sentences, the same on every run (a seeded generator, no data file).

Lengths vary from a few words to three clauses (about 5 to 60 tokens for all-MiniLM-L6-v2), as
real requests do: questions, statements, reviews, support tickets and news-like lines.
"""

from __future__ import annotations

import random

SUBJECTS = [
    "The old lighthouse keeper",
    "Our support team",
    "A small bakery in Lisbon",
    "The new intern",
    "My neighbour's dog",
    "The city council",
    "A group of students",
    "The quarterly report",
    "Her grandmother",
    "The delivery driver",
    "This laptop",
    "The hiking club",
    "A local farmer",
    "The orchestra",
    "The research lab",
    "Your order",
    "The museum guide",
    "An anonymous donor",
]
VERBS = [
    "found",
    "repaired",
    "described",
    "cancelled",
    "praised",
    "ignored",
    "painted",
    "delivered",
    "questioned",
    "rebuilt",
    "photographed",
    "recommended",
    "lost",
    "measured",
    "translated",
]
OBJECTS = [
    "the broken bicycle",
    "a strange noise in the engine",
    "the budget for next year",
    "three boxes of fresh tomatoes",
    "the whole north wing",
    "an unusual pattern in the data",
    "the last train to Edinburgh",
    "a recipe for lemon cake",
    "the password reset page",
    "every window on the ground floor",
    "the contract with the supplier",
    "a map of the old harbour",
]
PLACES = [
    "near the river",
    "before sunrise",
    "during the storm",
    "after the long meeting",
    "in the middle of the night",
    "without telling anyone",
    "for the second time this week",
    "at the edge of town",
    "despite the heavy rain",
    "while everyone was on holiday",
]
CLAUSES = [
    "and nobody could explain why",
    "which surprised the whole team",
    "although the instructions were perfectly clear",
    "so the schedule had to change again",
    "because the warranty had already expired",
    "and the results will be published next month",
    "but the customer still asked for a refund",
    "which made the evening news",
]
QUESTIONS = [
    "How do I return a product that arrived damaged?",
    "Where is the nearest pharmacy?",
    "Can I change my delivery address after paying?",
    "Why does the app log me out every hour?",
    "What time does the museum close on Sundays?",
    "Is there a vegetarian option on the menu?",
    "Who is responsible for the broken street light?",
    "When will the next software update ship?",
]
REVIEWS = [
    "Absolutely loved it.",
    "Terrible service, never again.",
    "The food was fine but overpriced.",
    "Five stars, fast shipping and great quality!",
    "It stopped working after two days.",
    "Not what I expected, but pleasantly surprising.",
    "Good value.",
    "Meh.",
]


def sentences(count: int = 200, seed: int = 18) -> list[str]:
    """``count`` distinct sentences from a generator seeded with ``seed``."""
    chooser = random.Random(seed)
    made: list[str] = []
    seen: set[str] = set()
    while len(made) < count:
        shape = chooser.randrange(6)
        if shape == 0:
            text = chooser.choice(QUESTIONS)
        elif shape == 1:
            text = chooser.choice(REVIEWS)
        else:
            parts = [chooser.choice(SUBJECTS), chooser.choice(VERBS), chooser.choice(OBJECTS)]
            if shape >= 3:
                parts.append(chooser.choice(PLACES))
            if shape >= 4:
                parts.append(chooser.choice(CLAUSES))
            text = " ".join(parts) + "."
            if shape == 5:
                text += " " + chooser.choice(QUESTIONS) + " " + chooser.choice(REVIEWS)
        if text not in seen:
            seen.add(text)
            made.append(text)
    return made
