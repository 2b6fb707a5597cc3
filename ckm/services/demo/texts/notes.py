"""The demo's wiki notes: pages about one customer, and a few general ones, with the words
their placeholders are filled with."""

from __future__ import annotations

WEEKDAYS_FA = ["شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday"]
COMPETITORS_FA = ["«آلفا صنعت»", "«پیشگامان تجارت»", "«فرا گستر»", "یک واردکننده‌ی ترک"]
COMPETITORS_EN = ["Alpha Industrie", "a Turkish importer", "Gulf Supply", "Delta Trading"]

# Notes worth reading: (flow, title, body, later revisions' additions), Persian then English.
# Placeholders: customer, contact, owner, weekday, competitor, percent, months, days, city.
NOTES_FA = [
    (
        "about",
        "تغییر مدیر خرید {customer}",
        "مدیر خرید {customer} حدود {months} ماه پیش عوض شد. {contact} که تازه این سمت را "
        "گرفته هنوز جا نیفتاده و تصمیم‌ها را به مدیرعامل ارجاع می‌دهد. تا وقتی جا بیفتد، "
        "پیشنهادهای بزرگ را همزمان برای هر دو نفر بفرستیم.",
        ["به‌روزرسانی: در جلسه‌ی آخر {contact} خودش قیمت را نهایی کرد؛ به نظر جا افتاده است."],
    ),
    (
        "about",
        "زمان مناسب تماس با {customer}",
        "{contact} ترجیح می‌دهد تماس‌ها {weekday}ها بعد از ساعت ۱۰ باشد. صبح‌های اول هفته "
        "جلسه‌ی تولید دارند و تلفن را جواب نمی‌دهند. یک پیامک کوتاه قبل از تماس را دوست دارند.",
        [],
    ),
    (
        "from",
        "کاهش قیمت رقیب و {customer}",
        "{contact} گفت {competitor} قیمت را حدود {percent} درصد پایین آورده و برای سفارش بعدی "
        "از آن‌ها هم پیش‌فاکتور گرفته‌اند. هنوز کیفیت ما را بهتر می‌دانند اما واحد مالی فشار "
        "می‌آورد. پیشنهاد: تخفیف حجمی به جای کاهش قیمت پایه.",
        [
            "{owner}: پیشنهاد تخفیف پلکانی فرستاده شد؛ منتظر پاسخ هستیم.",
            "نتیجه: سفارش این فصل را با ما بستند ولی قرارداد سالانه را به بعد موکول کردند.",
        ],
    ),
    (
        "from",
        "درخواست API از طرف {customer}",
        "تیم فناوری {customer} می‌خواهد سفارش‌ها را مستقیم از سامانه‌ی انبار خودشان ثبت کند و "
        "پرسیدند API داریم یا نه. فعلاً با اکسل کار می‌کنند و هر هفته دو سه خطای ورود داده "
        "دارند. درخواست را برای تیم محصول فرستادم.",
        ["تیم محصول گفت نسخه‌ی آزمایشی API تا پایان فصل آماده می‌شود؛ به {contact} خبر دادم."],
    ),
    (
        "from",
        "شکایت {customer} از تأخیر در تحویل",
        "سفارش آخر {customer} با {days} روز تأخیر رسید و خط تولیدشان یک شیفت خوابید. {contact} "
        "مؤدب بود ولی صریح گفت اگر تکرار شود تأمین‌کننده‌ی دوم را فعال می‌کنند. علت: ترخیص از "
        "گمرک. باید زمان تحویل را واقع‌بینانه‌تر اعلام کنیم.",
        ["پیگیری: برای سفارش بعدی ارسال سریع بدون هزینه‌ی اضافه پیشنهاد شد و پذیرفتند."],
    ),
    (
        "for",
        "راهنمای نگهداری برای {customer}",
        "برای {contact} خلاصه‌ی نگهداری را فرستادیم: سرویس هر شش ماه، تعویض فیلترها هر سه ماه "
        "و ثبت ساعت کارکرد در دفترچه. سؤال همیشگی‌شان این بود که آیا سرویس غیرمجاز گارانتی را "
        "باطل می‌کند؛ بله، و این را صریح گفتیم.",
        [],
    ),
    (
        "held_by",
        "آنچه {customer} از بازار می‌داند",
        "{customer} در بازار {city} شبکه‌ی پخش قوی دارد و تغییر سلیقه‌ی مصرف‌کننده را زودتر از "
        "ما می‌بیند. {contact} گفت تقاضا به سمت بسته‌های کوچک‌تر رفته است. پیشنهاد می‌کنم هر "
        "فصل یک گفتگوی کوتاه درباره‌ی روند بازار با آن‌ها داشته باشیم.",
        [],
    ),
    (
        "about",
        "شیوه‌ی پرداخت {customer}",
        "{customer} فقط با چک نود روزه کار می‌کند و تا حالا هیچ چک برگشتی نداشته است. "
        "پیش‌پرداخت نقدی نمی‌دهند، ولی برای تخفیف سه درصدی حاضرند شصت روزه بپردازند.",
        [],
    ),
    (
        "about",
        "تصمیم‌گیرنده‌ی واقعی در {customer}",
        "روی کاغذ {contact} مسئول خرید است، اما تصمیم نهایی با مدیر فنی است که به کیفیت و "
        "گواهی استاندارد حساس است. به هر پیشنهاد گواهی آزمایشگاه را پیوست کنیم.",
        ["مدیر فنی در بازدید اخیر گفت گواهی‌های ما کامل‌تر از رقبا است."],
    ),
    (
        "from",
        "ایده‌ی {customer} برای بسته‌بندی",
        "{contact} پیشنهاد داد بسته‌بندی را طوری تغییر دهیم که با لیفتراک راحت‌تر جابه‌جا شود؛ "
        "الان هر پالت را دستی باز می‌کنند. ایده‌ی خوبی است و دو مشتری دیگر هم همین را گفته بودند.",
        [],
    ),
    (
        "about",
        "{customer} بعد از نوسان ارز",
        "از زمان نوسان ارز، {customer} سفارش‌ها را کوچک‌تر و پراکنده‌تر کرده است. {contact} "
        "می‌گوید نقدینگی‌شان کم شده، نه اینکه از ما ناراضی باشند. پیشنهاد: تقسیط برای سفارش‌های "
        "بالای یک میلیارد ریال.",
        ["دو قسط اول به‌موقع پرداخت شد؛ می‌شود سقف اعتبار را کمی بالاتر برد."],
    ),
    (
        "about",
        "فقط {owner} {customer} را می‌شناسد",
        "همه‌ی ارتباط ما با {customer} از طریق {owner} است و کس دیگری در تیم آن‌ها را "
        "نمی‌شناسد. اگر {owner} نباشد نمی‌دانیم آنجا چه کسی تصمیم می‌گیرد. در جلسه‌ی بعدی یک "
        "همکار دیگر هم همراه برود.",
        [],
    ),
    (
        "from",
        "رضایت {customer} از پشتیبانی",
        "{contact} از پاسخ سریع پشتیبانی تشکر کرد؛ مشکل نرم‌افزار ظرف دو ساعت حل شد. گفت دلیل "
        "اصلی تمدید قرارداد همین است، نه قیمت.",
        [],
    ),
    (
        "for",
        "فاکتور رسمی برای {customer}",
        "{customer} چند بار پرسیده فاکتور رسمی با کد اقتصادی چطور صادر می‌شود. مراحل: ثبت کد "
        "اقتصادی در پرونده، درخواست از واحد مالی، ارسال نسخه‌ی PDF ظرف ۴۸ ساعت.",
        [],
    ),
    (
        "about",
        "برنامه‌ی توسعه‌ی {customer}",
        "{customer} قصد دارد سال آینده خط تولید دوم را در {city} راه بیندازد. {contact} گفت از "
        "حالا دنبال تأمین‌کننده‌ای هستند که بتواند حجم دو برابر را پوشش دهد. فرصت مهمی است.",
        ["مجوز خط دوم صادر شد؛ زمان‌بندی خریدشان را در جلسه‌ی بعد بپرسیم."],
    ),
    (
        "from",
        "نارضایتی {customer} از پیگیری‌ها",
        "{contact} گله داشت که در تماس قبلی کسی پیگیری نکرد و سه بار مجبور شده ماجرا را از اول "
        "تعریف کند. این را جدی بگیریم: تجربه‌ی انسانی‌شان خراب شده، نه محصول.",
        ["{owner} تماس گرفت و عذرخواهی کرد؛ از این به بعد یک رابط ثابت دارند."],
    ),
    (
        "about",
        "کانال ارتباطی دلخواه {customer}",
        "{contact} ایمیل را به تلفن ترجیح می‌دهد و می‌خواهد همه‌چیز مکتوب باشد. به پیام‌رسان‌ها "
        "جواب نمی‌دهد. صورت‌جلسه‌ها را همان روز بفرستیم.",
        [],
    ),
    (
        "held_by",
        "تجربه‌ی {customer} با واردات",
        "{customer} سال‌ها مستقیم از ترکیه و امارات وارد می‌کرده و قیمت و کیفیت آن بازارها را "
        "خوب می‌شناسد. {contact} حاضر است در جلسه‌ی طراحی محصول جدید نظر بدهد.",
        [],
    ),
]

NOTES_EN = [
    (
        "about",
        "New buyer at {customer}",
        "The buyer at {customer} took a new role {months} months ago and has not settled in "
        "yet. {contact} still checks every decision with the managing director, so send larger "
        "proposals to both of them until that changes.",
        ["Update: in the last call {contact} approved the quote alone; they seem settled now."],
    ),
    (
        "about",
        "Best time to call {customer}",
        "{contact} prefers calls on {weekday}s after 10:00. Monday mornings are taken by their "
        "production meeting. A short message before calling is appreciated.",
        [],
    ),
    (
        "from",
        "{customer}: competitor price cut",
        "{contact} told us {competitor} cut prices by about {percent}% and they asked them for a "
        "quote on the next order. They still rate our quality higher, but their finance team is "
        "pushing. Suggest a volume discount rather than cutting the list price.",
        [
            "{owner}: sent a tiered discount offer; waiting for their answer.",
            "Outcome: they placed this quarter's order with us but postponed the annual contract.",
        ],
    ),
    (
        "from",
        "{customer} asked for an API",
        "The IT team at {customer} wants to place orders straight from their ERP and asked "
        "whether we offer an API. Today they re-type orders from spreadsheets and make two or "
        "three entry errors a week. Passed on to the product team.",
        ["Product says a pilot API will be ready by the end of the quarter; told {contact}."],
    ),
    (
        "from",
        "{customer}: late delivery complaint",
        "The last shipment to {customer} arrived {days} days late and stopped a production "
        "shift. {contact} was polite but clear: if it happens again they will switch on their "
        "second supplier. Cause: customs clearance. We should quote lead times more honestly.",
        ["Offered express shipping at no extra cost for the next order; accepted."],
    ),
    (
        "for",
        "Maintenance guide sent to {customer}",
        "Sent {contact} the maintenance summary: service every six months, filters every three "
        "months, log the running hours. Their usual question was whether third-party servicing "
        "voids the warranty. It does, and we said so plainly.",
        [],
    ),
    (
        "held_by",
        "What {customer} knows about their market",
        "{customer} sees changes in end-customer demand before we do. {contact} says demand in "
        "{city} is moving to smaller pack sizes. Worth a short market conversation every quarter.",
        [],
    ),
    (
        "about",
        "How {customer} pays",
        "{customer} pays within 30 days and has never been late, but wants invoices in EUR with "
        "their VAT number on them. Missing VAT numbers delayed two payments last year.",
        [],
    ),
    (
        "about",
        "Who really decides at {customer}",
        "On paper {contact} runs purchasing, but the technical director makes the final call and "
        "cares about certificates. Attach the lab certificate to every quote.",
        [],
    ),
    (
        "about",
        "Only {owner} knows {customer}",
        "Everything we know about {customer} goes through {owner}. If {owner} left, nobody else "
        "would know who decides there. Take a colleague along to the next meeting.",
        [],
    ),
    (
        "from",
        "{customer} praised our support",
        "{contact} thanked support for fixing their software issue within two hours and said "
        "this, not the price, is why they renewed.",
        [],
    ),
    (
        "from",
        "{customer}: packaging idea",
        "{contact} suggested pallets that a forklift can move without unwrapping; today they "
        "unpack every pallet by hand. Two other customers have said the same.",
        [],
    ),
]

# A few wiki pages not about one customer (flow "general" or "for").
GENERAL_NOTES = [
    (
        "general",
        "چک‌لیست جلسه‌ی اول با مشتری جدید",
        "پیش از جلسه: سوابق سفارش و یادداشت‌ها را بخوانید. در جلسه: بپرسید چه کسی تصمیم "
        "می‌گیرد، چه کسی پرداخت می‌کند و چه کسی از محصول استفاده می‌کند. بعد از جلسه: همان روز "
        "یادداشت بگذارید و مرحله‌ی رابطه را به‌روز کنید.",
    ),
    (
        "general",
        "How we record complaints",
        "Log every complaint as a touchpoint with the complaint box ticked, even when it is "
        "solved on the spot. Mark it resolved only when the customer agrees it is. Open "
        "complaints appear on the customer's brief for everyone.",
    ),
    (
        "for",
        "پاسخ به پرسش «سفارش من کی می‌رسد؟»",
        "زمان تحویل استاندارد داخل تهران سه روز کاری و شهرستان‌ها پنج تا هفت روز کاری است. اگر "
        "کالا از گمرک می‌آید، زمان را با واحد بازرگانی چک کنید و هرگز قول قطعی ندهید.",
    ),
    (
        "general",
        "Nowruz and year-end: what to expect",
        "Orders peak in the last month of the Iranian year (Esfand) as customers spend their "
        "budgets, then stop for the Nowruz holidays. Confirm stock in Bahman and agree delivery "
        "dates before the holidays.",
    ),
    (
        "held_by",
        "آنچه مشتریان درباره‌ی تأمین‌کنندگان خارجی می‌دانند",
        "چند مشتری کلیدی سابقه‌ی واردات مستقیم دارند و قیمت‌های ترکیه و امارات را بهتر از ما "
        "می‌دانند. در جلسه‌های فصلی از آن‌ها بپرسیم و نتیجه را همین‌جا بنویسیم.",
    ),
]
