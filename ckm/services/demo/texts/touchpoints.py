"""What the demo's touchpoints say, by kind of experience and sentiment."""

from __future__ import annotations

# Touchpoint summaries by (experience kind, sentiment): Persian and English variants.
TOUCHPOINTS: dict[tuple[str, int], tuple[list[str], list[str]]] = {
    ("human", 1): (
        [
            "تماس پیگیری؛ {contact} از پاسخ‌گویی سریع کارشناس ما راضی بود.",
            "در جلسه‌ی حضوری، {contact} از دقت پیش‌فاکتور تشکر کرد.",
            "{contact} گفت هماهنگی با واحد فروش این بار خیلی روان بود.",
        ],
        [
            "Follow-up call; {contact} was pleased with how quickly our rep answered.",
            "{contact} thanked us in the meeting for an accurate quote.",
        ],
    ),
    ("human", 0): (
        [
            "جلسه‌ی معرفی محصول جدید؛ قرار شد نمونه ارسال شود.",
            "تماس برای هماهنگی زمان بازدید از کارخانه.",
            "{contact} درباره‌ی شرایط پرداخت سؤال داشت؛ توضیح داده شد.",
        ],
        [
            "Introduction meeting for the new product line; samples to follow.",
            "Call to schedule a site visit.",
            "{contact} asked about payment terms; explained.",
        ],
    ),
    ("human", -1): (
        [
            "{contact} گله داشت که سه بار پاسخ‌های متفاوت گرفته است.",
            "کسی تماس برگشتی را انجام نداده بود و {contact} دلخور بود.",
            "{contact} از لحن کارشناس پشتیبانی ناراضی بود.",
        ],
        [
            "{contact} complained about getting three different answers from our staff.",
            "Nobody called {contact} back as promised; they were annoyed.",
        ],
    ),
    ("mechanic", 1): (
        [
            "ثبت سفارش از طریق وب‌سایت بدون مشکل انجام شد.",
            "{contact} گفت پنل مشتری جدید خیلی راحت‌تر است.",
        ],
        [
            "Ordered through the website without a hitch.",
            "{contact} said the new customer portal is much easier to use.",
        ],
    ),
    ("mechanic", 0): (
        [
            "درخواست دسترسی به پنل مشتری برای همکار جدید.",
            "سؤال درباره‌ی پیگیری مرسوله در سایت.",
        ],
        [
            "Asked for portal access for a new colleague.",
            "Question about tracking a shipment online.",
        ],
    ),
    ("mechanic", -1): (
        [
            "درگاه پرداخت دو بار خطا داد و سفارش ثبت نشد.",
            "فاکتور با مبلغ اشتباه صادر شده بود.",
            "پارکینگ انبار برای تحویل کالا جا نداشت و راننده دو ساعت منتظر ماند.",
        ],
        [
            "The payment page failed twice and the order was lost.",
            "The invoice was issued with the wrong amount.",
        ],
    ),
    ("functional", 1): (
        [
            "محصول در آزمون کیفیت مشتری بدون ایراد پذیرفته شد.",
            "{contact} گفت مصرف انرژی دستگاه از انتظارشان کمتر است.",
        ],
        [
            "Passed the customer's quality test with no remarks.",
            "{contact} reported lower energy use than they expected.",
        ],
    ),
    ("functional", 0): (
        [
            "سؤال درباره‌ی مشخصات فنی و گواهی استاندارد.",
            "درخواست دفترچه‌ی راهنمای نسخه‌ی جدید.",
        ],
        [
            "Question about the technical specification and certificates.",
            "Asked for the manual of the new version.",
        ],
    ),
    ("functional", -1): (
        [
            "چند کارتن آسیب‌دیده رسید؛ بسته‌بندی کافی نبود.",
            "تحویل {days} روز دیرتر از موعد انجام شد و خط تولید مشتری متوقف شد.",
            "قطعه بعد از دو هفته کار از کار افتاد.",
        ],
        [
            "Several cartons arrived damaged; packaging was not enough.",
            "Delivery came {days} days late and stopped their production line.",
            "The part failed after two weeks in use.",
        ],
    ),
}
