"""How one file is to be imported: its kind, its column mapping and its reading options."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from ckm.services.importing.fields import CUSTOM_PREFIX, CUSTOMER_KEYS, FIELDS, Kind
from ckm.services.importing.sniff import FileRejected


@dataclass
class ImportSettings:
    """Everything the pipeline needs besides the file; saved with a batch and in mappings."""

    kind: str
    mapping: dict[str, str] = field(default_factory=dict)  # header → field / custom:<key> / ""
    source_name: str = "import"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int = 1
    # The currency of amounts that carry no currency word; None means "the file must say".
    currency: str | None = None
    # Which field finds an existing customer in a customers file (None: the first mapped of
    # external_id, national_id, email, phone).
    key: str | None = None
    default_customer_kind: str = "company"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ImportSettings:
        data = json.loads(text or "{}")
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    @property
    def kind_enum(self) -> Kind:
        try:
            return Kind(self.kind)
        except ValueError:
            raise FileRejected("import.file.kind_invalid", kind=self.kind) from None

    def targets(self) -> set[str]:
        return {target for target in self.mapping.values() if target}

    def customer_key(self) -> str:
        """The field that identifies an existing customer in a customers file."""
        mapped = self.targets()
        if self.key:
            if self.key not in mapped:
                raise FileRejected("import.file.key_not_mapped", field=self.key)
            return self.key
        for name in CUSTOMER_KEYS:
            if name in mapped:
                return name
        raise FileRejected("import.file.key_missing")

    def check(self, headers: list[str]) -> None:
        """Refuse a mapping that names missing columns, repeats a field or lacks a required one."""
        kind = self.kind_enum
        known = {spec.name for spec in FIELDS[kind]}
        seen: set[str] = set()
        for header, target in self.mapping.items():
            if not target:
                continue
            if header not in headers:
                raise FileRejected("import.file.column_missing", header=header)
            if target.startswith(CUSTOM_PREFIX):
                if kind is not Kind.CUSTOMERS or not target[len(CUSTOM_PREFIX) :].strip():
                    raise FileRejected("import.file.field_unknown", field=target)
            elif target not in known:
                raise FileRejected("import.file.field_unknown", field=target)
            if target in seen:
                raise FileRejected("import.file.field_twice", field=target)
            seen.add(target)
        for spec in FIELDS[kind]:
            if spec.required and spec.name not in seen:
                raise FileRejected("import.file.required_unmapped", field=spec.name)
        if kind is Kind.CUSTOMERS:
            self.customer_key()
