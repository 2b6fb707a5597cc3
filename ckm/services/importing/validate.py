"""One file row → a typed record, or the reasons it cannot be imported (with its line)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from ckm.models import Channel, CustomerKind, ExperienceKind
from ckm.services.customers import clean_tags
from ckm.services.errors import ValidationFailed
from ckm.services.importing import parsing
from ckm.services.importing.fields import CUSTOM_PREFIX, FIELDS, FieldSpec, Kind
from ckm.services.importing.parsing import CellProblem, cell_text
from ckm.services.importing.reading import MAX_ROW_CHARS, FormulaCell
from ckm.services.importing.settings import ImportSettings
from ckm.text import normalise

Parser = Callable[[object, dict[str, object]], object]
# Per column, parsed cells are remembered by their text: a file of a million orders has a few
# thousand amounts, days and products. A column whose texts hardly repeat (order numbers)
# stops remembering after a sample, so memory stays bounded.
_MEMO_LIMIT = 200_000
_MEMO_SAMPLE = 20_000
_MEMO_MIN_HITS = 0.2
_CUSTOMER_KINDS = frozenset(kind.value for kind in CustomerKind)
_CENT = Decimal("0.01")
_TOO_LARGE = Decimal("1e12")


class _Memo:
    """A column's parser, remembering its outcome (value, or problem) per cell text, and per
    the other cells it reads (`context`: an amount's currency column, a national id's kind).
    `RowValidator.validate` looks `outcomes` up itself (no call per cell when remembered)."""

    __slots__ = ("context", "misses", "on", "outcomes", "parse")

    def __init__(
        self, parse: Parser, context: Callable[[dict[str, object]], object] | None = None
    ) -> None:
        self.parse = parse
        self.context = context
        self.outcomes: dict[object, tuple[object, CellProblem | None]] = {}
        self.misses = 0
        self.on = True

    def key(self, cell: str, values: dict[str, object]) -> object:
        return cell if self.context is None else (cell, self.context(values))

    def first(
        self, cell: str, values: dict[str, object], rows: int
    ) -> tuple[object, CellProblem | None]:
        """Parse a text not met before in this column; remember it while that pays."""
        try:
            outcome: tuple[object, CellProblem | None] = (self.parse(cell, values), None)
        except CellProblem as problem:
            outcome = (None, problem)
        self.misses += 1
        if len(self.outcomes) < _MEMO_LIMIT:
            self.outcomes[self.key(cell, values)] = outcome
        if self.misses == _MEMO_SAMPLE and self.misses > (1 - _MEMO_MIN_HITS) * rows:
            self.on = False  # nearly every text is new (order numbers): stop remembering
            self.outcomes.clear()
        return outcome


@dataclass(frozen=True)
class Problem:
    """Why one cell (or the whole row, when `column` is "") was refused."""

    column: str
    key: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass
class RowError:
    """A rejected row: its line in the original file, its values as read, and the reasons."""

    line: int
    raw: list[object]
    problems: list[Problem]


@dataclass
class Record:
    """A valid row: typed values by field, custom fields, and where it came from."""

    line: int
    raw: list[object]
    values: dict[str, object]
    custom: dict[str, str] = field(default_factory=dict)
    toman: bool = False


_KIND_WORDS = {
    "company": "company",
    "شرکت": "company",
    "حقوقی": "company",
    "organisation": "company",
    "organization": "company",
    "business": "company",
    "سازمان": "company",
    "person": "person",
    "individual": "person",
    "شخص": "person",
    "حقیقی": "person",
    "فرد": "person",
    "private": "person",
}
_CHANNEL_WORDS = {
    **{channel.value: channel.value for channel in Channel},
    "ایمیل": "email",
    "تلفن": "phone",
    "تماس": "phone",
    "call": "phone",
    "جلسه": "meeting",
    "ملاقات": "meeting",
    "وب": "web",
    "سایت": "web",
    "website": "web",
    "فروشگاه": "store",
    "پشتیبانی": "support",
    "شبکه اجتماعی": "social",
    "چت": "chat",
    "گفتگو": "chat",
}
_EXPERIENCE_WORDS = {
    **{kind.value: kind.value for kind in ExperienceKind},
    "انسانی": "human",
    "محیطی": "mechanic",
    "کارکردی": "functional",
}
_SENTIMENT_WORDS = {
    "-1": -1,
    "0": 0,
    "1": 1,
    "+1": 1,
    "negative": -1,
    "neutral": 0,
    "positive": 1,
    "منفی": -1,
    "خنثی": 0,
    "مثبت": 1,
    "bad": -1,
    "good": 1,
}


def _word(table: Mapping[str, object], value: object, key: str) -> object:
    folded = normalise(cell_text(value))
    if not folded:
        return None
    if folded in table:
        return table[folded]
    raise CellProblem(key, value=cell_text(value))


class RowValidator:
    """Applies a mapping to rows; built once per file."""

    def __init__(self, settings: ImportSettings, headers: list[str]) -> None:
        settings.check(headers)
        self.settings = settings
        self.kind = settings.kind_enum
        self.headers = headers
        specs = {spec.name: spec for spec in FIELDS[self.kind]}
        self.columns: list[tuple[int, str, FieldSpec, _Memo]] = []
        self.rows = 0
        self.custom_columns: list[tuple[int, str, str]] = []
        # Amounts to the cent, by the parsed amount (a file has a few thousand distinct ones).
        self._cents: dict[Decimal, Decimal] = {}
        for index, header in enumerate(headers):
            target = settings.mapping.get(header, "")
            if target.startswith(CUSTOM_PREFIX):
                self.custom_columns.append((index, header, target[len(CUSTOM_PREFIX) :].strip()))
            elif target:
                spec = specs[target]
                self.columns.append(
                    (index, header, spec, _Memo(self._parser(spec), self._context(spec)))
                )
        # National ids depend on the row's kind and country: parse them last; amounts depend
        # on the row's currency column: parse that first.
        self.columns.sort(
            key=lambda column: (column[2].parser == "national_id", column[2].parser != "currency")
        )

    def _context(self, spec: FieldSpec) -> Callable[[dict[str, object]], object] | None:
        """What else a field's parser reads besides its cell (see `_parser`)."""
        if spec.parser == "amount":
            return lambda values: values.get("currency")
        if spec.parser == "national_id":
            return lambda values: (values.get("kind"), values.get("country"))
        return None

    def _parser(self, spec: FieldSpec) -> Parser:
        """The function that reads one cell for `spec` (chosen once, not per cell)."""
        maximum = spec.maximum
        simple: dict[str, Callable[[object], object]] = {
            "email": parsing.parse_email,
            "phone": parsing.parse_phone,
            "date": parsing.parse_date,
            "datetime": parsing.parse_datetime,
            "currency": parsing.parse_currency,
            "bool": parsing.parse_bool,
            "economic_code": parsing.parse_economic_code,
            "customer_kind": lambda v: _word(_KIND_WORDS, v, "import.problem.kind_invalid"),
            "channel": lambda v: _word(_CHANNEL_WORDS, v, "import.problem.channel_invalid"),
            "experience_kind": lambda v: _word(
                _EXPERIENCE_WORDS, v, "import.problem.experience_invalid"
            ),
            "sentiment": lambda v: _word(_SENTIMENT_WORDS, v, "import.problem.sentiment_invalid"),
        }
        if spec.parser in simple:
            single = simple[spec.parser]
            return lambda value, _values: single(value)
        if spec.parser in ("text", "postal_code", "customer_ref"):
            return lambda value, _values: parsing.parse_text(value, maximum=maximum)
        if spec.parser == "tags":

            def tags(value: object, _values: dict[str, object]) -> object:
                try:
                    return clean_tags(parsing.parse_text(value, maximum=maximum)) or None
                except ValidationFailed:
                    raise CellProblem(
                        "import.problem.tags_invalid", value=cell_text(value)
                    ) from None

            return tags
        if spec.parser == "amount":
            default = self.settings.currency

            def amount(value: object, values: dict[str, object]) -> object:
                currency = values.get("currency") or default
                return parsing.parse_amount(value, currency if isinstance(currency, str) else None)

            return amount
        if spec.parser == "national_id":
            default_kind = self.settings.default_customer_kind

            def national_id(value: object, values: dict[str, object]) -> object:
                country = values.get("country")
                return parsing.parse_national_id(
                    value,
                    kind=str(values.get("kind") or default_kind),
                    country=country if isinstance(country, str) else None,
                )

            return national_id
        raise ValueError(spec.parser)

    def validate(self, line: int, raw: list[object]) -> Record | RowError:
        """The typed record of one row, or every reason it was refused."""
        problems: list[Problem] = []
        width = len(raw)
        extra = (
            [value for value in raw[len(self.headers) :] if cell_text(value)]
            if width > len(self.headers)
            else None
        )
        if extra:
            problems.append(
                Problem(
                    "",
                    "import.problem.too_many_values",
                    {"count": len(self.headers) + len(extra), "expected": len(self.headers)},
                )
            )
        try:
            # Fast path: every CSV cell is text. A spreadsheet's number or date has no len()
            # and raises TypeError, which takes the path below.
            size = sum(map(len, cast("list[str]", raw)))
        except TypeError:
            size = sum(len(value) if isinstance(value, str) else 24 for value in raw)
        if size > MAX_ROW_CHARS:
            return RowError(
                line, raw, [Problem("", "import.problem.row_too_long", {"maximum": MAX_ROW_CHARS})]
            )
        values: dict[str, object] = {}
        self.rows += 1
        for index, header, spec, memo in self.columns:
            cell = raw[index] if index < width else None
            problem: CellProblem | None = None
            if cell.__class__ is str and memo.on:
                outcome = memo.outcomes.get(
                    cell if memo.context is None else (cell, memo.context(values))
                )
                parsed, problem = outcome or memo.first(str(cell), values, self.rows)
            elif cell.__class__ is FormulaCell:
                problems.append(
                    Problem(header, "import.problem.formula", {"value": cell.formula[:80]})
                )
                continue
            else:
                try:
                    parsed = memo.parse(cell, values)
                except CellProblem as refused:
                    problem = refused
            if problem is not None:
                problems.append(Problem(header, problem.key, problem.values))
                continue
            if parsed is None:
                if spec.required:
                    problems.append(Problem(header, "import.problem.required"))
                continue
            values[spec.name] = parsed
        custom: dict[str, str] = {}
        for index, header, key in self.custom_columns:
            cell = raw[index] if index < len(raw) else None
            if isinstance(cell, FormulaCell):
                problems.append(
                    Problem(header, "import.problem.formula", {"value": cell.formula[:80]})
                )
                continue
            try:
                text = parsing.parse_text(cell, maximum=2000)
            except CellProblem as problem:
                problems.append(Problem(header, problem.key, problem.values))
                continue
            if text is not None:
                custom[key] = text
        if problems:
            return RowError(line, raw, problems)
        toman = False
        amount = values.get("amount")
        if amount.__class__ is tuple:
            number, currency, toman = amount
            exact = self._cents.get(number)
            if exact is None:
                exact = Decimal(number).quantize(_CENT)
                if len(self._cents) < _MEMO_LIMIT:
                    self._cents[number] = exact
            values["amount"] = exact
            values["currency"] = currency
            if abs(exact) >= _TOO_LARGE:
                return RowError(
                    line,
                    raw,
                    [Problem("", "import.problem.amount_too_large", {"value": str(number)})],
                )
        if self.kind is Kind.CUSTOMERS:
            values.setdefault("kind", self.settings.default_customer_kind)
            if values["kind"] not in _CUSTOMER_KINDS:
                values["kind"] = CustomerKind.COMPANY.value
        return Record(line, raw, values, custom, toman)
