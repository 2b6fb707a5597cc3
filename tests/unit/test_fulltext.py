"""The shared full-text query builder: user text stays text, both databases get one structure."""

from __future__ import annotations

from ckm.services.search.fulltext import (
    FullTextQuery,
    fts5_phrase,
    like_pattern,
    query_words,
    trigrams,
)


def test_every_word_must_match_with_prefixes_from_a_length() -> None:
    query = FullTextQuery.all_of(["ali", "r"])
    assert query.fts5(prefix_from=2) == '"ali"* AND "r"'
    assert query.tsquery(prefix_from=2) == "'ali':* & 'r'"
    assert query.fts5(prefix_from=None) == '"ali" AND "r"'


def test_alternatives_within_a_slot_and_between_groups() -> None:
    query = FullTextQuery.any_group([[("hosein", "hossein"), ("zadeh",)], [("hoseinzadeh",)]])
    assert query.fts5(prefix_from=None) == '(("hosein" OR "hossein") AND "zadeh") OR "hoseinzadeh"'
    assert query.tsquery() == "(('hosein':* | 'hossein':*) & 'zadeh':*) | 'hoseinzadeh':*"


def test_operators_and_quotes_typed_by_users_are_literal() -> None:
    query = FullTextQuery.all_of(['a"b', "x' | !y", "NEAR"])
    assert query.fts5(prefix_from=None) == '"a""b" AND "x\' | !y" AND "NEAR"'
    assert query.tsquery(prefix_from=None) == "'a\"b' & 'x'' | !y' & 'NEAR'"
    assert like_pattern("50%_off\\") == "%50\\%\\_off\\\\%"
    assert fts5_phrase(["sales", "plan"], column="title") == 'title : "sales plan"'


def test_query_words_are_normalised_and_bounded() -> None:
    assert query_words("Ali  ALI رحيمي", max_chars=100, max_words=8) == ["ali", "ali", "رحیمی"]
    assert query_words("Ali ALI b", max_chars=100, max_words=8, unique=True) == ["ali", "b"]
    assert query_words("a b c d", max_chars=100, max_words=2) == ["a", "b"]
    assert query_words("x" * 500, max_chars=100, max_words=2, max_word_chars=40) == ["x" * 40]
    assert trigrams("abcd") == ["abc", "bcd"]
