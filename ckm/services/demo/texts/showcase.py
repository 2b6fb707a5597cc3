"""Hand-made customers with recognisable stories, so the demo has something to open."""

from __future__ import annotations

from dataclasses import dataclass

from ckm.services.demo.texts.market import (
    SEGMENT_CONSUMER,
    SEGMENT_EXPORT,
    SEGMENT_KEY,
    SEGMENT_MID,
)


@dataclass(frozen=True)
class Showcase:
    """A hand-made customer, so the demo has recognisable stories to open."""

    name: str
    persian: bool
    is_company: bool
    city: int  # index into CITIES
    industry: int | None  # index into INDUSTRIES
    segment: str
    stage: str
    profile: str
    owner: str | None
    weight: float
    contact: str
    currency: str = "IRR"
    tags: str = ""
    source: str = "crm_import"


# Hand-made customers with recognisable stories (including a duplicate from an old Excel
# import written with Arabic letters, waiting to be merged into its golden record).
SHOWCASE = [
    Showcase(
        "شرکت فولاد مبارکه",
        True,
        True,
        1,
        0,
        SEGMENT_KEY,
        "commitment",
        "steady",
        "sara.ahmadi",
        30.0,
        "مهندس کاوه اصفهانی",
        tags="قرارداد سالانه, VIP",
    ),
    Showcase(
        "شركت فولاد مباركه",
        True,
        True,
        1,
        0,
        SEGMENT_KEY,
        "commitment",
        "none",
        None,
        0.0,
        "كاوه اصفهاني",
        source="excel_import_1399",
    ),
    Showcase(
        "مهندس علی رحیمی",
        True,
        False,
        0,
        None,
        SEGMENT_CONSUMER,
        "deepening",
        "growing",
        "reza.karimi",
        3.0,
        "مهندس علی رحیمی",
    ),
    Showcase(
        "شرکت پخش نیک‌نام",
        True,
        True,
        3,
        10,
        SEGMENT_MID,
        "erosion",
        "declining",
        "neda.niknam",
        12.0,
        "خانم شیرین کیانی",
        tags="حساس به قیمت",
    ),
    Showcase(
        "صنایع غذایی زاگرس شیراز",
        True,
        True,
        3,
        1,
        SEGMENT_MID,
        "erosion",
        "declining",
        "hamid.mehrayin",
        10.0,
        "آقای مجید شیرازی",
    ),
    Showcase(
        "Caspian Trading GmbH",
        False,
        True,
        0,
        8,
        SEGMENT_EXPORT,
        "getting_to_know",
        "growing",
        "john.miller",
        6.0,
        "Lukas Weber",
        currency="EUR",
        tags="export, API",
    ),
    Showcase(
        "دکتر مریم صفی‌زاده",
        True,
        False,
        2,
        None,
        SEGMENT_CONSUMER,
        "commitment",
        "growing",
        "sara.ahmadi",
        3.0,
        "دکتر مریم صفی‌زاده",
    ),
    Showcase(
        "داروسازی کیمیا",
        True,
        True,
        0,
        2,
        SEGMENT_KEY,
        "commitment",
        "steady",
        "omid.farahani",
        25.0,
        "دکتر بهرام کاظمی",
        tags="VIP",
    ),
    Showcase(
        "Zagros Logistics Ltd",
        False,
        True,
        0,
        8,
        SEGMENT_MID,
        "getting_to_know",
        "steady",
        "john.miller",
        4.0,
        "Sarah Johnson",
    ),
    Showcase(
        "گروه صنعتی سهند تبریز",
        True,
        True,
        4,
        4,
        SEGMENT_KEY,
        "erosion",
        "declining",
        "sara.ahmadi",
        20.0,
        "مهندس یوسف قاسمی",
    ),
]
