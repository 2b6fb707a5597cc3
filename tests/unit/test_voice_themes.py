"""The themes extractor on hand-made Persian and English texts with known answers."""

from __future__ import annotations

import math

from ckm.services.voice.themes import (
    Corpus,
    extract_themes,
    readable,
    stop_words,
    surface_forms,
    terms,
    words,
)

ZWNJ = "\u200c"


def _themes(texts: list[str], **kwargs: object) -> list[str]:
    found = [terms(text) for text in texts]
    return [theme.term for theme in extract_themes(found, Corpus.of(found), **kwargs)]  # type: ignore[arg-type]


def test_english_words_and_bigrams_without_stop_words() -> None:
    assert terms("The delivery was late, again!") == ["delivery", "late"]
    # Bigrams only join neighbours: "delivery" and "late" had "was" between them.
    assert terms("Late delivery of the invoice") == ["late", "delivery", "invoice", "late delivery"]
    assert words("Order 12345 in 2 days") == ["order", None, None, None, "days"]


def test_persian_is_normalised_and_keeps_zwnj_words_whole() -> None:
    # Arabic yeh/kaf and vowel marks are the same word; «بسته‌بندی» stays one word.
    assert terms("كيفيت بسته‌بندی") == ["کیفیت", f"بسته{ZWNJ}بندی", f"کیفیت بسته{ZWNJ}بندی"]
    assert terms("کِیفیت") == ["کیفیت"]
    # The plural suffix after a non-joiner is dropped; stop words and digits are not terms.
    found = terms("قیمت‌ها از ۱۲ درصد بالا رفت و این")
    assert found == ["قیمت", "درصد", "بالا", "رفت", "درصد بالا", "بالا رفت"]
    assert "ان" in stop_words()  # «آن», normalised like any text


def test_markup_and_mentions_are_not_themes() -> None:
    found = words("Met @[Alpha](customer:12) see [[Pricing]] https://x.example/a")
    assert found == ["met", "alpha", "see", "pricing"]


def test_english_themes_prefer_the_phrase_and_need_two_texts() -> None:
    texts = [
        "Late delivery again, the truck came on Friday.",
        "Complained about late delivery of the steel.",
        "Late delivery: third time this quarter.",
        "Invoice error on the March invoice.",
        "Another invoice error, VAT missing.",
        "Great support from Sara.",
    ]
    found = _themes(texts, top=5)
    assert found[:2] == ["late delivery", "invoice error"]
    # Covered by their phrases: not themes of their own.
    assert "late" not in found and "delivery" not in found and "error" not in found
    # Used once only: not a theme.
    assert "support" not in found and "sara" not in found


def test_persian_themes_with_known_answer() -> None:
    texts = [
        "تاخیر در ارسال سفارش و کیفیت بسته‌بندی ضعیف بود",
        "کیفیت بسته‌بندی خوب نبود",
        "باز هم کیفیت بسته‌بندي ضعیف",  # Arabic yeh at the end: the same word
        "از پشتیبانی راضی بودند",
        "قیمت‌ها بالا است",
        "قیمت بالا",
    ]
    found = _themes(texts, top=4)
    # The two phrases said twice or more lead («قیمت‌ها بالا» is «قیمت بالا»).
    assert set(found[:2]) == {f"کیفیت بسته{ZWNJ}بندی", "قیمت بالا"}
    assert "کیفیت" not in found and f"بسته{ZWNJ}بندی" not in found


def test_tf_idf_weights_by_the_whole_corpus() -> None:
    period = [terms("price price"), terms("price delivery"), terms("delivery")]
    corpus_texts = period + [terms("price")] * 7  # "price" is everywhere in the corpus
    corpus = Corpus.of(corpus_texts)
    themes = {t.term: t for t in extract_themes(period, corpus, min_documents=1)}
    n = 10
    idf_price = math.log((1 + n) / (1 + 9)) + 1
    idf_delivery = math.log((1 + n) / (1 + 2)) + 1
    # "price price": tf 1; "price delivery" has 3 terms (the bigram too): tf 1/3 each.
    assert math.isclose(themes["price"].weight, (1 + 1 / 3) * idf_price, rel_tol=1e-5)
    assert math.isclose(themes["delivery"].weight, (1 / 3 + 1) * idf_delivery, rel_tol=1e-5)
    # Same term frequency in the period, but rarer in the corpus: delivery ranks first.
    assert next(iter(themes)) == "delivery"
    assert themes["price"].documents == 2


def test_negative_texts_are_counted_per_theme() -> None:
    period = [terms("late delivery"), terms("late delivery"), terms("fast delivery")]
    found = extract_themes(
        period, Corpus.of(period), min_documents=2, negative=[True, False, False]
    )
    by_term = {theme.term: theme for theme in found}
    assert by_term["late delivery"].negative == 1
    assert by_term["late delivery"].documents == 2


def test_themes_are_shown_as_people_write_them() -> None:
    # The search form drops the madda («ازمون»); the shown one keeps it, fixes Arabic
    # letters and vowel marks, and drops the plural suffix like the term does.
    pairs = dict(surface_forms("آزمونِ كيفيت‌ها"))
    assert pairs == {"ازمون": "آزمون", "کیفیت": "کیفیت"}
    assert readable("ازمون کیفیت", pairs) == "آزمون کیفیت"
    assert readable("unknown word", pairs) == "unknown word"
