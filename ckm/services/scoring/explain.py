"""Scores in words: why a customer is in their segment, their health parts, their stage."""

from __future__ import annotations

from ckm.i18n import translate
from ckm.services.scoring.read import CustomerScores


def explain_segment(scores: CustomerScores, language: str) -> str:
    """One sentence saying why the customer is in their segment."""
    return translate(
        f"rfm.why.{scores.segment}",
        language,
        days=scores.recency_days if scores.recency_days is not None else 0,
        orders=scores.frequency,
        tenure=(scores.as_of - scores.first_order_on).days if scores.first_order_on else 0,
    )


def health_reasons(scores: CustomerScores, language: str) -> list[str]:
    """The four parts of the health score, each as a sentence with its points."""

    def t(key: str, **values: object) -> str:
        return translate(key, language, **values)

    reasons = []
    if scores.frequency == 0:
        reasons.append(t("health.rhythm.none"))
    elif scores.usual_interval_days is None:
        reasons.append(
            t("health.rhythm.single", days=scores.recency_days, points=scores.rhythm_points)
        )
    else:
        key = "health.rhythm.on_time" if scores.rhythm_points >= 25 else "health.rhythm.late"
        reasons.append(
            t(
                key,
                interval=round(scores.usual_interval_days),
                days=scores.recency_days,
                points=scores.rhythm_points,
            )
        )
    change = scores.revenue_change
    if change is not None:
        reasons.append(
            t("health.trend.change", change=f"{change * 100:+.0f}", points=scores.trend_points)
        )
    elif scores.revenue_12m > 0:
        reasons.append(t("health.trend.new", points=scores.trend_points))
    else:
        reasons.append(t("health.trend.none"))
    if scores.touchpoints_12m and scores.avg_sentiment is not None:
        reasons.append(
            t(
                "health.sentiment.some",
                count=scores.touchpoints_12m,
                mood=f"{scores.avg_sentiment:+.1f}",
                points=scores.sentiment_points,
            )
        )
    else:
        reasons.append(t("health.sentiment.none"))
    reasons.append(
        t("health.complaints", count=scores.open_complaints, points=scores.complaint_points)
    )
    return reasons


def stage_reason(scores: CustomerScores, language: str) -> str:
    """Why the data suggests this relationship stage."""
    return translate(f"stage.why.{scores.suggested_stage}", language)
