"""A sound key for names, the same for Persian script and Finglish (Persian in Latin letters).

Sales reps type «رحیمی» as "Rahimi", "Rahimy" or "Rahimee", and Latin names in Persian
letters. Both spellings are turned into one key in a small Latin alphabet, and names whose
keys are equal (or nearly equal) are treated as the same name.

Why the key looks as it does: Persian script writes consonants and the long vowels (ا, و,
ی) but not the short ones (a, e, o), and Finglish writes every vowel with no fixed spelling.
So the key keeps consonants and the long vowels i (ی, i, y, ee) and u (و, u, ou, oo, v, w)
and drops a, e, o on both sides. Letters that sound alike in Persian collapse to one
(ث س ص → s; ذ ز ض ظ → z; ت ط → t; ح ه → h; غ ق → q), as do the Latin digraphs that stand
for one Persian letter (kh → x, sh → w, ch → c, gh and q → q, zh and ژ → j). و and v share
the key letter u because «و» is a consonant in some names (وحید Vahid) and a vowel in others
(نوری Nouri), and nothing in the script says which.

Examples: رحیمی, Rahimi, Rahimy, Rahimee → "rhimi"; کریمی, Karimi → "krimi"; کرمی, Karami →
"krmi"; یزدانی, Yazdani → "izdni"; موسوی, Mousavi, Musavi → "musui"; زاده, Zadeh → "zd".

The key is a pure function of the normalised word (see `ckm.text.normalise`); changing it
means the stored keys must be rebuilt (`python -m ckm reindex`).
"""

from __future__ import annotations

import re
from functools import lru_cache

_PERSIAN_LETTER = re.compile(r"[\u0600-\u06ff]")

# Persian (after normalise) → key letters. Letters missing here (ا, ع, ء and anything
# unexpected) carry no key letter.
_PERSIAN = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ط": "t",
    "ث": "s",
    "س": "s",
    "ص": "s",
    "ج": "j",
    "چ": "c",
    "ح": "h",
    "ه": "h",
    "خ": "x",
    "د": "d",
    "ذ": "z",
    "ز": "z",
    "ض": "z",
    "ظ": "z",
    "ر": "r",
    "ژ": "j",
    "ش": "w",
    "غ": "q",
    "ق": "q",
    "ف": "f",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "و": "u",
    "ی": "i",
}
_PERSIAN_SILENT = frozenset("اع")

# Latin spellings, longest first: each becomes one key letter ("" = dropped).
_LATIN_GROUPS = (
    ("kh", "x"),
    ("sh", "w"),
    ("ch", "c"),
    ("zh", "j"),
    ("gh", "q"),
    ("ph", "f"),
    ("th", "t"),
    ("ou", "u"),
    ("oy", "ui"),  # "Roya", "Pouya": رویا, پویا
    ("oo", "u"),
    ("ee", "i"),
    ("ck", "k"),
)
_LATIN = {
    "a": "",
    "e": "",
    "o": "",
    "c": "k",
    "w": "u",
    "v": "u",
    "y": "i",
    "x": "ks",
}
_LATIN_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


def _persian_key(word: str) -> str:
    letters: list[str] = []
    last = len(word) - 1
    for position, char in enumerate(word):
        if char == "ه" and position == last and position > 0 and word[position - 1] != "ا":
            # A final ه is mostly the vowel e (زاده "zadeh", کاوه "kaveh"), unless after ا
            # (شاه "shah").
            continue
        if char == "و" and 0 < position < last and word[position - 1] == "خ":
            if word[position + 1] == "ا":
                continue  # the silent و of خوا ("khâ"): خواجه "Khajeh"
        if char in _PERSIAN_SILENT:
            continue
        letters.append(_PERSIAN.get(char, ""))
    return "".join(letters)


def _latin_key(word: str) -> str:
    if word.endswith("eh") and len(word) > 3:
        word = word[:-1]  # "Zadeh", "Fatemeh": the h only marks the final e (زاده, فاطمه)
    if word.endswith("o") and len(word) > 2:
        word = word[:-1] + "u"  # "Khosro", "Mino": a final o is written و (خسرو, مینو)
    letters: list[str] = []
    position = 0
    while position < len(word):
        pair = word[position : position + 2]
        for spelling, key in _LATIN_GROUPS:
            if pair == spelling:
                letters.append(key)
                position += 2
                break
        else:
            char = word[position]
            if char in _LATIN_LETTERS:
                letters.append(_LATIN.get(char, char))
            position += 1
    return "".join(letters)


@lru_cache(maxsize=65536)
def name_key(word: str) -> str:
    """The sound key of one normalised word ("" when it has no letters worth a key)."""
    key = _persian_key(word) if _PERSIAN_LETTER.search(word) else _latin_key(word)
    # Doubled letters are one sound: Persian writes «محمد» for "Mohammad".
    collapsed = [char for index, char in enumerate(key) if index == 0 or key[index - 1] != char]
    return "".join(collapsed)
