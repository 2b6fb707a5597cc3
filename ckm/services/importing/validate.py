"""One file row → a typed record, or the reasons it cannot be imported (with its line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ckm.models import Channel, CustomerKind, ExperienceKind
from ckm.services.customers import clean_tags
from ckm.services.errors import ValidationFailed
from ckm.services.importing import parsing
from ckm.services.importing.fields import CUSTOM_PREFIX, FIELDS, FieldSpec, Kind
from ckm.services.importing.parsing import CellProblem, cell_text
from ckm.services.importing.reading import MAX_ROW_CHARS, FormulaCell
from ckm.services.importing.settings import ImportSettings
from ckm.text import normalise


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


def _word(table: dict[str, object], value: object, key: str) -> object:
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
        self.columns: list[tuple[int, str, FieldSpec]] = []
        self.custom_columns: list[tuple[int, str, str]] = []
        for index, header in enumerate(headers):
            target = settings.mapping.get(header, "")
            if target.startswith(CUSTOM_PREFIX):
                self.custom_columns.append((index, header, target[len(CUSTOM_PREFIX) :].strip()))
            elif target:
                self.columns.append((index, header, specs[target]))
        # National ids depend on the row's kind and country: parse them last; amounts depend
        # on the row's currency column: parse that first.
        self.columns.sort(
            key=lambda column: (column[2].parser == "national_id", column[2].parser != "currency")
        )

    def _parse(self, spec: FieldSpec, value: object, values: dict[str, object]) -> object:
        if isinstance(value, FormulaCell):
            raise CellProblem("import.problem.formula", value=value.formula[:80])
        parser = spec.parser
        if parser == "tags":
            try:
                return clean_tags(parsing.parse_text(value, maximum=spec.maximum)) or None
            except ValidationFailed:
                raise CellProblem("import.problem.tags_invalid", value=cell_text(value)) from None
        if parser in ("text", "postal_code"):
            return parsing.parse_text(value, maximum=spec.maximum)
        if parser == "customer_ref":
            return parsing.parse_text(value, maximum=spec.maximum)
        if parser == "email":
            return parsing.parse_email(value)
        if parser == "phone":
            return parsing.parse_phone(value)
        if parser == "date":
            return parsing.parse_date(value)
        if parser == "datetime":
            return parsing.parse_datetime(value)
        if parser == "amount":
            currency = values.get("currency") or self.settings.currency
            return parsing.parse_amount(value, currency if isinstance(currency, str) else None)
        if parser == "currency":
            return parsing.parse_currency(value)
        if parser == "bool":
            return parsing.parse_bool(value)
        if parser == "customer_kind":
            return _word(_KIND_WORDS, value, "import.problem.kind_invalid")
        if parser == "channel":
            return _word(_CHANNEL_WORDS, value, "import.problem.channel_invalid")
        if parser == "experience_kind":
            return _word(_EXPERIENCE_WORDS, value, "import.problem.experience_invalid")
        if parser == "sentiment":
            return _word(_SENTIMENT_WORDS, value, "import.problem.sentiment_invalid")
        if parser == "national_id":
            kind = values.get("kind") or self.settings.default_customer_kind
            country = values.get("country")
            return parsing.parse_national_id(
                value, kind=str(kind), country=country if isinstance(country, str) else None
            )
        if parser == "economic_code":
            return parsing.parse_economic_code(value)
        raise ValueError(parser)

    def validate(self, line: int, raw: list[object]) -> Record | RowError:
        """The typed record of one row, or every reason it was refused."""
        problems: list[Problem] = []
        extra = [value for value in raw[len(self.headers) :] if cell_text(value)]
        if extra:
            problems.append(
                Problem(
                    "",
                    "import.problem.too_many_values",
                    {"count": len(self.headers) + len(extra), "expected": len(self.headers)},
                )
            )
        if sum(len(value) if isinstance(value, str) else 24 for value in raw) > MAX_ROW_CHARS:
            return RowError(
                line, raw, [Problem("", "import.problem.row_too_long", {"maximum": MAX_ROW_CHARS})]
            )
        values: dict[str, object] = {}
        for index, header, spec in self.columns:
            cell = raw[index] if index < len(raw) else None
            try:
                parsed = self._parse(spec, cell, values)
            except CellProblem as problem:
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
        if isinstance(amount, tuple):
            number, currency, toman = amount
            values["amount"] = Decimal(number).quantize(Decimal("0.01"))
            values["currency"] = currency
            if abs(values["amount"]) >= Decimal("1e12"):
                return RowError(
                    line,
                    raw,
                    [Problem("", "import.problem.amount_too_large", {"value": str(number)})],
                )
        if self.kind is Kind.CUSTOMERS:
            values.setdefault("kind", self.settings.default_customer_kind)
            if values["kind"] not in {kind.value for kind in CustomerKind}:
                values["kind"] = CustomerKind.COMPANY.value
        return Record(line, raw, values, custom, toman)
