"""Every SMS and email reads wholly in the recipient's language, dates included."""

import datetime
import re

import pytest
from django.conf import settings

from storefront.notifications.kinds import KINDS, Channel
from storefront.notifications.rendering import notification_render
from storefront.notifications.services import notification_send

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[А-Яа-яЁё]+")
DEADLINE = datetime.datetime(2026, 12, 14, 15, 0, tzinfo=datetime.UTC)  # 18:00 in Moscow
SAMPLE = {
    "code": "123456",
    "number": "MS-2612-001001",
    "total": "1 299 ₽",
    "amount": "1 299 ₽",
    "link": "http://127.0.0.1:8000/orders/MS-2612-001001/",
    "tracking": "RA123456785CN",
    "office": "101000",
    "deadline": datetime.date(2026, 12, 14),
    "title": "Winter sale",
    "body": "Up to 30 % off",
}
EVERY_TEMPLATE = [(code, channel) for code, kind in KINDS.items() for channel in kind.channels]


@pytest.mark.parametrize(("code", "channel"), EVERY_TEMPLATE, ids=str)
def test_english_message_has_no_russian_but_the_store_name(code, channel):
    subject, text = notification_render(kind=KINDS[code], channel=channel, language="en", context=SAMPLE)

    assert set(CYRILLIC.findall(subject + text)) <= {settings.STORE_SITE_NAME}


@pytest.mark.parametrize(("code", "channel"), EVERY_TEMPLATE, ids=str)
def test_russian_message_is_in_russian(code, channel):
    _subject, text = notification_render(kind=KINDS[code], channel=channel, language="ru", context=SAMPLE)

    assert set(CYRILLIC.findall(text)) - {settings.STORE_SITE_NAME}


@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", "заберите до 14 декабря"), ("en", "collect it by 14 December")],
)
def test_a_date_is_written_in_the_recipients_language(language, words):
    _subject, text = notification_render(
        kind=KINDS["parcel_arrived"], channel=Channel.SMS, language=language, context=SAMPLE
    )

    assert words in text


def test_a_deadline_reaches_an_english_customer_in_english_and_moscow_time(english_customer):
    """The sender (a Celery job, Russian by default) passes the datetime; the text is written for the recipient."""
    context = {**SAMPLE, "deadline": DEADLINE}

    sms = notification_send(
        key="payment_reminder:MS-2612-001001:sms", kind="payment_reminder", channel="sms", to_user=english_customer,
        context=context,
    )  # fmt: skip

    assert "until 14 December, 18:00" in sms.text
