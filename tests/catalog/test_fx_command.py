from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from storefront.catalog.models import FxRate
from storefront.catalog.selectors import fx_rate_get
from tests.catalog.factories import FxRateFactory, SkuFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "storefront" / "catalog" / "fixtures" / "cbr_sample.xml"
HEAD = '<?xml version="1.0" encoding="windows-1251"?>\n'


def _valute(code="CNY", nominal="1", value="11,2345", vid="R01375"):
    return (
        f'<Valute ID="{vid}"><NumCode>156</NumCode><CharCode>{code}</CharCode><Nominal>{nominal}</Nominal>'
        f"<Name>Юань</Name><Value>{value}</Value></Valute>\n"
    )


def _file(tmp_path, body: str, date="23.11.2026") -> str:
    path = tmp_path / "rates.xml"
    text = f'{HEAD}<ValCurs Date="{date}" name="Foreign Currency Market">\n{body}</ValCurs>\n'
    path.write_bytes(text.encode("cp1251"))
    return str(path)


def _load(path) -> str:
    out = StringIO()
    call_command("update_fx_rates", str(path), stdout=out)
    return out.getvalue()


def test_sample_file_loads_every_rate_for_its_date():
    _load(SAMPLE)
    assert FxRate.objects.filter(date="2026-11-23").count() == 14


def test_decimal_comma_value_is_read_exactly():
    _load(SAMPLE)
    assert FxRate.objects.get(currency="CNY").rate == Decimal("11.2345")


def test_rate_per_unit_divides_by_the_nominal():
    _load(SAMPLE)
    row = FxRate.objects.get(currency="JPY")
    assert (row.nominal, fx_rate_get(currency="JPY")) == (100, Decimal("0.527749"))


def test_new_rates_reprice_yuan_skus_and_say_how_many():
    FxRateFactory(currency="CNY", rate=Decimal("10"), date="2026-11-20")
    sku = SkuFactory(price=Decimal("100"), currency="CNY")
    out = _load(SAMPLE)
    sku.refresh_from_db()
    assert sku.price_rub == Decimal("1123")  # 100 ¥ × 11,2345, in whole roubles
    assert "CNY: 11,2345 ₽ за 1 — пересчитано цен SKU: 1" in out


def test_loading_the_same_file_twice_changes_nothing():
    _load(SAMPLE)
    out = _load(SAMPLE)
    assert "новых 0, изменилось 0, без изменений 14" in out


def test_cached_rate_is_replaced_after_commit(django_capture_on_commit_callbacks):
    FxRateFactory(currency="CNY", rate=Decimal("10"), date="2026-11-20")
    assert fx_rate_get(currency="CNY") == Decimal("10")  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        _load(SAMPLE)
    assert fx_rate_get(currency="CNY") == Decimal("11.2345")


def test_a_file_that_is_not_xml_is_refused(tmp_path):
    path = tmp_path / "rates.xml"
    path.write_text("date;code;rate\n23.11.2026;CNY;11.2\n")
    with pytest.raises(CommandError, match="строка 1: файл не является корректным XML"):
        _load(path)


def test_a_file_without_valcurs_is_refused(tmp_path):
    path = tmp_path / "rates.xml"
    path.write_text('<?xml version="1.0"?>\n<Rates><Rate/></Rates>\n')
    with pytest.raises(CommandError, match="корневой элемент <Rates>"):
        _load(path)


def test_a_bad_date_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Date=«2026-11-23»"):
        _load(_file(tmp_path, _valute(), date="2026-11-23"))


def test_a_non_numeric_value_names_the_valute_and_its_line(tmp_path):
    body = _valute(code="EUR", value="94,1", vid="R01239") + _valute(value="11.2.3")
    with pytest.raises(CommandError, match=r'строка 4, Valute ID="R01375" \(CNY\): Value «11.2.3»'):
        _load(_file(tmp_path, body))


def test_a_zero_rate_is_refused(tmp_path):
    with pytest.raises(CommandError, match="курс должен быть больше нуля"):
        _load(_file(tmp_path, _valute(value="0,0000")))


def test_a_zero_nominal_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Nominal «0»"):
        _load(_file(tmp_path, _valute(nominal="0")))


def test_one_bad_valute_means_nothing_is_written(tmp_path):
    body = _valute(code="EUR", value="94,1", vid="R01239") + _valute(value="-1")
    with pytest.raises(CommandError, match="ничего не записано"):
        _load(_file(tmp_path, body))
    assert not FxRate.objects.exists()


def test_a_doctype_is_refused_before_any_entity_expands(tmp_path):
    path = tmp_path / "rates.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE ValCurs [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
        '<ValCurs Date="23.11.2026"><Valute ID="x"><CharCode>CNY</CharCode><Nominal>1</Nominal>'
        "<Value>&b;</Value></Valute></ValCurs>\n"
    )
    with pytest.raises(CommandError, match="строка 2: объявление <!DOCTYPE>"):
        _load(path)
    assert not FxRate.objects.exists()
