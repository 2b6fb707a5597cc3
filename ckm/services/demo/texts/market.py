"""Where the demo's customers are and what they buy: industries, product categories, order
channels, cities at home and abroad, segments, tags and where a record came from."""

from __future__ import annotations

# (industry as stored, noun used in company names, slug for emails, preferred categories)
INDUSTRIES = [
    ("فولاد و فلزات", "فولاد", "steel", ("مواد اولیه", "قطعات یدکی", "خدمات فنی")),
    ("صنایع غذایی", "صنایع غذایی", "food", ("بسته‌بندی", "مواد اولیه", "مصرفی")),
    ("داروسازی", "داروسازی", "pharma", ("مواد اولیه", "تجهیزات", "آموزش")),
    ("پتروشیمی", "پتروشیمی", "petro", ("مواد اولیه", "تجهیزات", "خدمات فنی")),
    ("قطعات خودرو", "قطعه‌سازی", "auto", ("قطعات یدکی", "مصرفی", "تجهیزات")),
    ("ساختمان", "ساختمانی", "build", ("مواد اولیه", "مصرفی")),
    ("نساجی", "نساجی", "textile", ("مواد اولیه", "قطعات یدکی", "مصرفی")),
    ("فناوری اطلاعات", "نرم‌افزاری", "soft", ("نرم‌افزار و اشتراک", "آموزش", "خدمات فنی")),
    ("حمل‌ونقل و لجستیک", "حمل‌ونقل", "logistics", ("بسته‌بندی", "نرم‌افزار و اشتراک")),
    ("کشاورزی", "کشت و صنعت", "agro", ("مصرفی", "تجهیزات", "بسته‌بندی")),
    ("خرده‌فروشی", "فروشگاه‌های زنجیره‌ای", "retail", ("بسته‌بندی", "نرم‌افزار و اشتراک")),
    ("بهداشتی و آرایشی", "بهداشتی", "care", ("بسته‌بندی", "مواد اولیه", "مصرفی")),
]

CATEGORIES = {
    "مواد اولیه": ["ورق فولادی گرم", "میلگرد A3", "گرانول پلی‌اتیلن", "شمش آلومینیوم"],
    "قطعات یدکی": ["بلبرینگ صنعتی", "شیر کنترل هیدرولیک", "تسمه‌ی انتقال قدرت", "کوپلینگ"],
    "تجهیزات": ["دستگاه بسته‌بندی نیمه‌خودکار", "پمپ سانتریفیوژ", "کمپرسور اسکرو"],
    "خدمات فنی": ["نصب و راه‌اندازی", "سرویس دوره‌ای", "کالیبراسیون"],
    "نرم‌افزار و اشتراک": ["اشتراک سالانه‌ی سامانه", "ماژول انبارداری", "دسترسی API"],
    "بسته‌بندی": ["کارتن پنج‌لایه", "فیلم شرینک", "پالت چوبی"],
    "آموزش": ["دوره‌ی آموزش اپراتور", "کارگاه ایمنی"],
    "مصرفی": ["روغن صنعتی", "فیلتر هوا", "الکترود جوشکاری", "دستکش کار"],
}
PERSON_CATEGORIES = ("مصرفی", "آموزش", "نرم‌افزار و اشتراک")
ORDER_CHANNELS = ("direct", "distributor", "web", "phone", "exhibition")

# (Persian city, Persian region, English city, English region, area code, weight)
CITIES = [
    ("تهران", "تهران", "Tehran", "Tehran", "21", 30),
    ("اصفهان", "اصفهان", "Isfahan", "Isfahan", "31", 10),
    ("مشهد", "خراسان رضوی", "Mashhad", "Razavi Khorasan", "51", 8),
    ("شیراز", "فارس", "Shiraz", "Fars", "71", 7),
    ("تبریز", "آذربایجان شرقی", "Tabriz", "East Azerbaijan", "41", 6),
    ("کرج", "البرز", "Karaj", "Alborz", "26", 5),
    ("اهواز", "خوزستان", "Ahvaz", "Khuzestan", "61", 4),
    ("رشت", "گیلان", "Rasht", "Gilan", "13", 3),
    ("قم", "قم", "Qom", "Qom", "25", 3),
    ("یزد", "یزد", "Yazd", "Yazd", "35", 3),
    ("کرمان", "کرمان", "Kerman", "Kerman", "34", 3),
    ("بندرعباس", "هرمزگان", "Bandar Abbas", "Hormozgan", "76", 2),
]
# Export customers abroad: (city, region, country, phone prefix)
FOREIGN_CITIES = [
    ("Dubai", "Dubai", "United Arab Emirates", "+971 4"),
    ("Hamburg", "Hamburg", "Germany", "+49 40"),
    ("Istanbul", "Istanbul", "Turkey", "+90 212"),
    ("Milan", "Lombardy", "Italy", "+39 02"),
    ("Baku", "Baku", "Azerbaijan", "+994 12"),
]

SEGMENT_KEY = "مشتریان کلیدی"
SEGMENT_MID = "بازار میانی"
SEGMENT_SMALL = "کسب‌وکار کوچک"
SEGMENT_CONSUMER = "مصرف‌کنندگان"
SEGMENT_EXPORT = "صادراتی"

TAGS = [
    "قرارداد سالانه",
    "نمایشگاه ۱۴۰۳",
    "حساس به قیمت",
    "VIP",
    "API",
    "خبرنامه",
    "پرداخت اعتباری",
    "export",
    "تحویل فوری",
    "فروش متقابل",
    "early-adopter",
]
SOURCES = [
    ("crm_import", 60),
    ("manual", 20),
    ("web_form", 10),
    ("exhibition", 5),
    ("excel_import_1399", 5),
]
