"""The inputs of benchmarks/serving.py: short sentences and paragraph-length texts."""

SENTENCES = [
    "The weather is lovely today.",
    "I did not enjoy the film at all; the plot was thin and the acting was wooden.",
    "Where is the nearest train station?",
    "Our quarterly revenue grew by twelve percent, driven by strong demand in Europe and Asia.",
    "She plays the violin beautifully.",
    "Please reset my password because I can no longer log in to my account.",
    "The cat sat on the mat.",
    "A new study suggests that regular exercise improves memory in older adults.",
    "This is the best pizza I have ever had!",
    "The meeting has been moved to Thursday afternoon at three o'clock.",
    "Stocks fell sharply after the central bank raised interest rates again.",
    "How do I return a product that arrived damaged?",
    "The museum opens at nine and closes at five on weekdays.",
    "He forgot his umbrella and got soaked on the way home from work.",
    "Machine learning models need careful evaluation before they are deployed.",
    "Thanks for the quick reply.",
]
# Typical paragraph-length inputs: 2-3 sentences, 43-53 tokens for all-MiniLM-L6-v2 (the short
# sentences above are 8-21). The fixed cost of a request weighs less next to a longer model call.
PARAGRAPHS = [
    (
        "The weather has been lovely all week, with clear skies and a light breeze from the west. "
        "Forecasters expect it to stay warm until Sunday, when heavy rain moves in from the coast. "
        "Farmers say the dry spell came just in time for the harvest."
    ),
    (
        "I did not enjoy the film at all. "
        "The plot was thin, the acting was wooden, and the ending made no sense to anyone in the cinema. "
        "Even the music, which the critics praised, felt loud and out of place in most scenes."
    ),
    (
        "Our quarterly revenue grew by twelve percent, driven by strong demand in Europe and Asia. "
        "Margins improved as well, although shipping costs remain higher than last year. "
        "We expect the second half to be slower as orders return to normal."
    ),
    (
        "Please reset my password because I can no longer log in to my account. "
        "I have tried the recovery link twice, but the email never arrives in my inbox. "
        "My username is the same as the address on my last invoice."
    ),
    (
        "A new study suggests that regular exercise improves memory in older adults. "
        "Participants who walked for thirty minutes a day scored better on recall tests after six months. "
        "The researchers now plan a larger trial across several countries."
    ),
    (
        "The meeting has been moved to Thursday afternoon at three o'clock. "
        "Bring the draft budget and the hiring plan, and let me know if you cannot attend. "
        "We will book the large room on the second floor so that everyone fits."
    ),
    (
        "Stocks fell sharply after the central bank raised interest rates again. "
        "Analysts warned that higher borrowing costs could slow growth in the housing market next year. "
        "Bond yields, meanwhile, rose to their highest level in a decade."
    ),
    (
        "The package arrived two days late and the box was badly damaged. "
        "Luckily the vase inside was wrapped well, so nothing was broken. "
        "I would still like a refund for the express shipping, since it did not arrive on time."
    ),
    (
        "The museum opens at nine and closes at five on weekdays. "
        "On Saturdays it stays open until eight, and entry is free for children under twelve. "
        "Guided tours in English start every hour from the main hall."
    ),
    (
        "Machine learning models need careful evaluation before they are deployed. "
        "A model that scores well on a benchmark can still fail on the data it meets in production. "
        "Teams should monitor its predictions and retrain it when the inputs drift."
    ),
    (
        "She has played the violin since she was six years old. "
        "Last spring she performed with the city orchestra, and the audience gave her a standing ovation. "
        "Next year she hopes to study music at the conservatory in Vienna."
    ),
    (
        "The new phone has a brighter screen and a faster processor than the old one. "
        "Battery life is about the same, which disappointed some reviewers. "
        "The camera, however, takes much better pictures at night and in dim rooms."
    ),
    (
        "Our team will migrate the customer database over the weekend. "
        "Expect the service to be read-only for about two hours on Saturday night while the data is copied. "
        "We will post an update on the status page when the work is done."
    ),
    (
        "He forgot his umbrella and got soaked on the way home from work. "
        "By the time he reached the door, his shoes were full of water and his phone had stopped working. "
        "He spent the evening drying everything with a hair dryer."
    ),
    (
        "The restaurant on the corner serves the best pizza in town. "
        "The crust is thin and crisp, the sauce is fresh, and the owner always remembers your order. "
        "On Friday nights you may have to wait half an hour for a table."
    ),
    (
        "Thank you for the quick reply and for sending the documents so promptly. "
        "I have read them carefully and will return the signed contract by Friday. "
        "Please let me know if the payment terms need to change before then."
    ),
]


def varied_sentences(count: int = 200) -> list[str]:
    """``count`` distinct texts of 8-55 tokens (MiniLM): the short sentences, each sentence of the
    paragraphs, pairs of them, then whole paragraphs; the same list on every call."""
    singles = list(SENTENCES)
    singles += [
        part.strip() + "." for paragraph in PARAGRAPHS for part in paragraph.split(". ") if part.strip()
    ]
    singles = list(dict.fromkeys(text.replace("..", ".") for text in singles))
    texts = list(singles)
    step = 1
    while len(texts) < count - len(PARAGRAPHS) and step < len(singles):
        texts += [f"{singles[i]} {singles[(i + step) % len(singles)]}" for i in range(0, len(singles), 3)]
        step += 1
    texts = list(dict.fromkeys(texts))[: count - len(PARAGRAPHS)] + PARAGRAPHS
    return texts[:count]
