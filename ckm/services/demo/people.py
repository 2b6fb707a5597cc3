"""Demo customers and their contacts: random and hand-made (showcase) ones."""

from __future__ import annotations

import itertools
import math
from datetime import timedelta

from ckm.models import (
    Contact,
    Customer,
    utc_now,
)
from ckm.services.demo.common import (
    _ARABIC_LETTERS,
    _at,
    _Base,
    _next_id,
    _Plan,
    _sync_sequence,
)
from ckm.services.demo.texts.market import (
    CATEGORIES,
    CITIES,
    FOREIGN_CITIES,
    INDUSTRIES,
    ORDER_CHANNELS,
    PERSON_CATEGORIES,
    SEGMENT_CONSUMER,
    SEGMENT_EXPORT,
    SEGMENT_KEY,
    SEGMENT_MID,
    SEGMENT_SMALL,
    SOURCES,
    TAGS,
)
from ckm.services.demo.texts.names import (
    BRANDS,
    CONTACT_TITLES_EN,
    CONTACT_TITLES_FA,
    EN_BRANDS,
    EN_NOUNS,
    EN_SUFFIXES,
)
from ckm.services.demo.texts.showcase import SHOWCASE, Showcase
from ckm.sql_typing import table_of

# Running totals of the cities' weights, for random.choices(cum_weights=...).
_CITY_CUM = list(itertools.accumulate(city[5] for city in CITIES))


class _Customers(_Base):
    def customers(self, count: int) -> None:
        """Write `count` customers (the hand-made showcase first) and their contacts."""
        self.report(0.02, "demo.progress.customers")
        customer_table = table_of(Customer)
        contact_table = table_of(Contact)
        next_id = _next_id(self.session, customer_table)
        showcase = SHOWCASE[:count]
        for index in range(count):
            customer_id = next_id + index
            if index < len(showcase):
                row, contacts = self._showcase_customer(customer_id, showcase[index])
            else:
                row, contacts = self._random_customer(customer_id)
            self.writer.add(customer_table, row)
            for contact in contacts:
                self.writer.add(contact_table, contact)
                self.counts["contacts"] += 1
            if index % 20000 == 0:
                self.report(0.02 + 0.13 * index / count, "demo.progress.customers")
        self.writer.flush()
        _sync_sequence(self.session, customer_table)

    def _customer_row(
        self,
        customer_id: int,
        *,
        name: str,
        is_company: bool,
        email: str | None,
        phone: str | None,
        city: str,
        region: str,
        country: str,
        industry: str | None,
        segment: str,
        stage: str,
        tags: str,
        owner: str | None,
        source: str,
        profile: str,
    ) -> dict[str, object]:
        rng = self.rng
        # Customers with a history were recorded before their first order; new leads lately.
        if profile == "none":
            created = self.today - timedelta(days=rng.randrange(5, 200))
        else:
            created = self.first_day - timedelta(days=rng.randrange(1, 400))
        created_at = _at(created, rng)
        updated_at = min(
            created_at + timedelta(days=rng.randrange(0, (self.today - created).days + 1)),
            utc_now(),
        )
        recorder = "import" if "import" in source else owner or "system"
        return {
            "id": customer_id,
            "external_id": None if source in ("manual", "web_form") else f"CRM-{customer_id:06d}",
            "kind": "company" if is_company else "person",
            "name": name,
            "email": email,
            "phone": phone,
            "city": city,
            "region": region,
            "country": country,
            "industry": industry,
            "segment": segment,
            "relationship_stage": stage,
            "tags": tags,
            "owner_id": self.staff[owner][0] if owner else None,
            "consent_contact": rng.random() < 0.85,
            "consent_marketing": rng.random() < 0.5,
            "consent_profiling": rng.random() < 0.3,
            "source": source,
            "created_by": recorder,
            "created_at": created_at,
            "updated_by": owner or recorder,
            "updated_at": updated_at,
            "merged_into_id": None,
            "deleted_at": None,
            "version": 1,
        }

    def _contacts(
        self, customer_id: int, persian: bool, count: int, domain: str | None, area: str
    ) -> tuple[list[dict[str, object]], str]:
        rng = self.rng
        rows = []
        first_name = ""
        for number in range(count):
            full, first, slug = self._person_name(persian)
            first_name = first_name or (full if persian else first)
            rows.append(
                {
                    "customer_id": customer_id,
                    "name": full,
                    "title": rng.choice(CONTACT_TITLES_FA if persian else CONTACT_TITLES_EN),
                    "email": f"{slug}@{domain}" if domain and rng.random() < 0.8 else None,
                    "phone": self._mobile() if rng.random() < 0.7 else self._landline(area),
                    "is_primary": number == 0,
                    "created_at": utc_now(),
                }
            )
        return rows, first_name

    def _random_customer(
        self, customer_id: int
    ) -> tuple[dict[str, object], list[dict[str, object]]]:
        rng = self.rng
        persian = rng.random() < 0.8
        is_company = rng.random() < 0.65
        city_fa, region_fa, city_en, region_en, area, _ = rng.choices(
            CITIES, cum_weights=_CITY_CUM
        )[0]
        # Messy imports: some Persian records carry English place names and vice versa.
        use_persian_place = persian if rng.random() < 0.9 else not persian
        city, region = (city_fa, region_fa) if use_persian_place else (city_en, region_en)
        country = "ایران" if use_persian_place else "Iran"
        drawn_industry = rng.choice(INDUSTRIES)
        industry_row: tuple[str, str, str, tuple[str, ...]] | None = drawn_industry
        export = False
        phone_prefix = ""
        if is_company:
            roll = rng.random()
            segment = SEGMENT_KEY if roll < 0.06 else SEGMENT_MID if roll < 0.35 else SEGMENT_SMALL
            if not persian and rng.random() < 0.4:
                export, segment = True, SEGMENT_EXPORT
                city, region, country, phone_prefix = rng.choice(FOREIGN_CITIES)
            name, domain = self._company_name(persian, drawn_industry, city)
        else:
            segment = SEGMENT_CONSUMER
            industry_row = None
            name, _, slug = self._person_name(persian)
            provider = rng.choice(("gmail.com", "yahoo.com", "chmail.ir", "outlook.com"))
            domain = provider
        if persian and rng.random() < 0.03:
            # Imported from a system that typed Arabic ي and ك.
            name = name.translate(_ARABIC_LETTERS)

        profile = rng.choices(
            ("none", "declining", "lapsed", "growing", "steady"), cum_weights=(6, 12, 16, 28, 100)
        )[0]
        stage = self._stage(profile)
        owner = self._owner() if rng.random() < 0.93 else None
        source = rng.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0]
        if not is_company:
            email = f"{slug}{rng.randrange(10, 99)}@{domain}" if rng.random() < 0.7 else None
        else:
            mailbox = rng.choice(("info", "sales", "office"))
            email = f"{mailbox}@{domain}" if rng.random() < 0.85 else None
        if export:
            phone = f"{phone_prefix} {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
        elif rng.random() < 0.1:
            phone = None
        else:
            mobile = not is_company or rng.random() < 0.4
            phone = self._mobile() if mobile else self._landline(area)
        tags = ", ".join(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2, 3))))
        row = self._customer_row(
            customer_id,
            name=name,
            is_company=is_company,
            email=email,
            phone=phone,
            city=city,
            region=region,
            country=country,
            industry=industry_row[0] if industry_row else None,
            segment=segment,
            stage=stage,
            tags=tags,
            owner=owner,
            source=source,
            profile=profile,
        )
        contact_count = rng.choice((1, 1, 2, 2, 3)) if is_company else 0
        contacts, contact_name = self._contacts(
            customer_id,
            persian and not export,
            contact_count,
            domain if is_company else None,
            area,
        )
        if not is_company:
            contact_name = name
        self._plan(
            customer_id,
            name,
            persian and not export,
            is_company,
            segment,
            profile,
            owner,
            contact_name,
            city,
            industry_row,
            export=export,
        )
        return row, contacts

    def _company_name(
        self, persian: bool, industry_row: tuple[str, str, str, tuple[str, ...]], city: str
    ) -> tuple[str, str]:
        rng = self.rng
        _, noun, slug, _ = industry_row
        if not persian:
            brand = rng.choice(EN_BRANDS)
            noun_en = rng.choice(EN_NOUNS)
            name = f"{brand} {noun_en} {rng.choice(EN_SUFFIXES)}"
            domain = f"{brand.replace(' ', '').lower()}-{noun_en.lower()}.com"
            return name, domain
        brand, latin = rng.choice(BRANDS)
        pattern = rng.randrange(6)
        if pattern == 0:
            name = f"شرکت {noun} {brand}"
        elif pattern == 1:
            name = f"گروه صنعتی {brand}"
        elif pattern == 2:
            name = f"{noun} {brand} {city}"
        elif pattern == 3:
            name = f"شرکت {brand} {noun}"
        elif pattern == 4:
            name = f"بازرگانی {brand}"
        else:
            name = f"{brand}\u200c{rng.choice(('گستر', 'تجارت', 'صنعت', 'پخش'))}"
        return name, f"{latin}{slug}.ir"

    def _stage(self, profile: str) -> str:
        rng = self.rng
        options = {
            "none": ("first_contact", "first_contact", "getting_to_know"),
            "declining": ("erosion", "erosion", "commitment", "deepening"),
            "lapsed": ("ended", "erosion", "erosion"),
            "growing": ("deepening", "deepening", "commitment", "getting_to_know", "repaired"),
            "steady": (
                "commitment",
                "commitment",
                "deepening",
                "getting_to_know",
                "repaired",
                "erosion",
            ),
        }[profile]
        return rng.choice(options)

    def _plan(
        self,
        customer_id: int,
        name: str,
        persian: bool,
        is_company: bool,
        segment: str,
        profile: str,
        owner: str | None,
        contact: str,
        city: str,
        industry_row: tuple[str, str, str, tuple[str, ...]] | None,
        *,
        export: bool = False,
        weight: float | None = None,
        currency: str | None = None,
    ) -> None:
        rng = self.rng
        base_weight, low, high = {
            SEGMENT_KEY: (8.0, 2e9, 2e10),
            SEGMENT_MID: (3.0, 3e8, 3e9),
            SEGMENT_SMALL: (1.2, 5e7, 5e8),
            SEGMENT_CONSUMER: (0.5, 5e6, 1e8),
            SEGMENT_EXPORT: (2.0, 3e3, 8e4),
        }[segment]
        if currency is None:
            currency = rng.choice(("EUR", "USD")) if export else "IRR"
        if currency != "IRR" and not export:
            low, high = 3e3, 8e4
        categories = industry_row[3] if industry_row else PERSON_CATEGORIES
        self.plans.append(
            _Plan(
                id=customer_id,
                name=name,
                persian=persian,
                is_company=is_company,
                segment=segment,
                profile=profile,
                currency=currency,
                base_amount=math.exp(rng.uniform(math.log(low), math.log(high))),
                categories=(
                    *rng.sample(categories, min(len(categories), 2)),
                    rng.choice(list(CATEGORIES)),
                ),
                channel=rng.choice(ORDER_CHANNELS),
                owner=owner,
                contact=contact,
                city=city,
                order_weight=0.0
                if profile == "none"
                else (weight or base_weight * rng.lognormvariate(0, 0.6)),
            )
        )

    def _showcase_customer(
        self, customer_id: int, item: Showcase
    ) -> tuple[dict[str, object], list[dict[str, object]]]:
        rng = self.rng
        city_fa, region_fa, city_en, region_en, area, _ = CITIES[item.city]
        city, region = (city_fa, region_fa) if item.persian else (city_en, region_en)
        country = "ایران" if item.persian else "Iran"
        industry_row = INDUSTRIES[item.industry] if item.industry is not None else None
        if item.segment == SEGMENT_EXPORT:
            city, region, country, prefix = FOREIGN_CITIES[1]
            phone = f"{prefix} {rng.randrange(1000000, 9999999)}"
        else:
            phone = self._landline(area) if item.is_company else self._mobile()
        domain = "example.ir" if item.persian else "example.com"
        row = self._customer_row(
            customer_id,
            name=item.name,
            is_company=item.is_company,
            email=f"contact{customer_id}@{domain}",
            phone=phone,
            city=city,
            region=region,
            country=country,
            industry=industry_row[0] if industry_row else None,
            segment=item.segment,
            stage=item.stage,
            tags=item.tags,
            owner=item.owner,
            source=item.source,
            profile=item.profile,
        )
        contacts: list[dict[str, object]] = []
        if item.is_company:
            contacts, _ = self._contacts(customer_id, item.persian, 2, domain, area)
            contacts[0]["name"] = item.contact
            contacts[0]["email"] = f"purchasing{customer_id}@{domain}"
        self._plan(
            customer_id,
            item.name,
            item.persian,
            item.is_company,
            item.segment,
            item.profile,
            item.owner,
            item.contact,
            city,
            industry_row,
            export=item.segment == SEGMENT_EXPORT,
            weight=item.weight,
            currency=item.currency,
        )
        return row, contacts
