"""Demo orders and touchpoints, spread over three years with Iranian seasonality."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from ckm.models import (
    Order,
    Touchpoint,
    utc_now,
)
from ckm.services.demo.common import (
    _PERSIAN_DIGITS,
    HISTORY_DAYS,
    _at,
    _Base,
)
from ckm.services.demo.texts.market import CATEGORIES, ORDER_CHANNELS
from ckm.services.demo.texts.touchpoints import TOUCHPOINTS
from ckm.sql_typing import table_of


class _Activity(_Base):
    def orders(self, total: int) -> None:
        """Spread `total` orders over the customers by weight, three years back from today."""
        self.report(0.15, "demo.progress.orders")
        rng = self.rng
        weights = [plan.order_weight for plan in self.plans]
        weight_sum = sum(weights)
        if total <= 0 or weight_sum <= 0:
            return
        counts = [int(total * weight / weight_sum) for weight in weights]
        leftover = total - sum(counts)
        if leftover:
            cum = list(itertools.accumulate(weights))
            for index in rng.choices(range(len(self.plans)), cum_weights=cum, k=leftover):
                counts[index] += 1
        table = table_of(Order)
        days = [self.first_day + timedelta(days=offset) for offset in range(HISTORY_DAYS)]
        created = {day: datetime.combine(day, time(6, 0), tzinfo=UTC) for day in days}
        day_range = range(HISTORY_DAYS)
        products = {category: items for category, items in CATEGORIES.items()}
        written = 0
        serial = 0
        for plan, count in zip(self.plans, counts, strict=True):
            plan.orders = count
            if not count:
                continue
            cum = self.day_cum[plan.profile]
            offsets = sorted(rng.choices(day_range, cum_weights=cum, k=count))
            for offset in offsets:
                serial += 1
                day = days[offset]
                position = offset / HISTORY_DAYS
                amount = plan.base_amount * rng.lognormvariate(0, 0.45)
                if plan.profile == "declining":
                    # Declining accounts also buy smaller baskets, not only less often.
                    amount *= 1.4 - 0.9 * position
                amount *= 1 + 0.12 * position  # mild price rises over three years
                category = plan.categories[0] if rng.random() < 0.6 else rng.choice(plan.categories)
                if plan.currency == "IRR":
                    value: object = max(10_000, round(amount, -4))
                else:
                    value = Decimal(f"{amount:.2f}")
                self.writer.add(
                    table,
                    {
                        "customer_id": plan.id,
                        "external_id": f"SO-{serial:08d}",
                        "ordered_on": day,
                        "amount": value,
                        "currency": plan.currency,
                        "product": rng.choice(products[category]),
                        "category": category,
                        "channel": plan.channel
                        if rng.random() < 0.8
                        else rng.choice(ORDER_CHANNELS),
                        "source": "demo",
                        "created_at": created[day],
                    },
                )
            written += count
            if written % 50_000 < count:
                self.report(0.15 + 0.55 * written / total, "demo.progress.orders")
        self.writer.flush()
        self.counts["orders"] = written

    # ------------------------------------------------------------------ touchpoints

    def touchpoints(self, total: int) -> None:
        """Interactions on every channel; negative ones are often complaints, some still open."""
        self.report(0.7, "demo.progress.touchpoints")
        rng = self.rng
        if total <= 0 or not self.plans:
            return
        # Everyone is contacted now and then; busy and troubled accounts more often.
        weights = [
            1.0 + plan.orders * 0.3 + (3.0 if plan.profile == "declining" else 0.0)
            for plan in self.plans
        ]
        picks = sorted(
            rng.choices(
                range(len(self.plans)), cum_weights=list(itertools.accumulate(weights)), k=total
            )
        )
        table = table_of(Touchpoint)
        now = utc_now()
        channels = {
            "human": ("phone", "meeting", "email", "store", "phone"),
            "mechanic": ("web", "chat", "support", "email"),
            "functional": ("support", "phone", "email", "social"),
        }
        for number, index in enumerate(picks):
            plan = self.plans[index]
            kind = rng.choice(("human", "human", "mechanic", "functional"))
            troubled = plan.profile in ("declining", "lapsed")
            roll = rng.random()
            negative_share = 0.35 if troubled else 0.12
            sentiment = -1 if roll < negative_share else 0 if roll < 0.6 else 1
            age_days = int(rng.triangular(0, HISTORY_DAYS, 0))
            occurred = min(_at(self.today - timedelta(days=age_days), rng), now)
            is_complaint = sentiment == -1 and rng.random() < 0.6
            resolved = None
            if is_complaint and rng.random() < (0.9 if age_days > 30 else 0.3):
                resolved = min(occurred + timedelta(days=rng.randrange(1, 21)), now)
            persian_texts, english_texts = TOUCHPOINTS[(kind, sentiment)]
            days = str(rng.randrange(3, 15))
            summary = rng.choice(persian_texts if plan.persian else english_texts).format(
                contact=plan.contact,
                days=days.translate(_PERSIAN_DIGITS) if plan.persian else days,
            )
            recorder = plan.owner if plan.owner and rng.random() < 0.7 else "maryam.hosseini"
            self.writer.add(
                table,
                {
                    "customer_id": plan.id,
                    "occurred_at": occurred,
                    "recorded_by": recorder,
                    "channel": rng.choice(channels[kind]),
                    "experience_kind": kind,
                    "sentiment": sentiment,
                    "is_complaint": is_complaint,
                    "resolved_at": resolved,
                    "summary": summary,
                    "created_at": occurred,
                },
            )
            if number % 50_000 == 0:
                self.report(0.7 + 0.1 * number / total, "demo.progress.touchpoints")
        self.writer.flush()
        self.counts["touchpoints"] = total
