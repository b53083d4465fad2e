import pytest
from django.core.management import CommandError, call_command

from logistics.models import PickupPoint
from logistics.seed import pickup_point_rows
from logistics.services import pickup_points_import

pytestmark = pytest.mark.django_db

HEADER = "postcode,city,address,hours,latitude,longitude,kind,parcel_window\n"


def _import(text: str, **kw):
    return pickup_points_import(data=text.encode("utf-8"), actor="ops", **kw)


def test_the_seeded_sample_has_about_200_points_across_many_cities():
    points = PickupPoint.objects.all()
    assert 180 <= points.count() <= 260
    assert points.values("city").distinct().count() >= 20
    assert points.filter(kind="parcel_centre").exists() and points.filter(has_parcel_window=True).exists()
    assert len(list(pickup_point_rows())) == points.count()


def test_good_file_creates_new_points_and_updates_existing_ones():
    existing = PickupPoint.objects.order_by("postcode").first()
    text = HEADER + (
        "677000,Якутск,пр-т Ленина д. 1,Пн–Пт 9–18,62.0355,129.6755,отделение,да\n"
        f"{existing.postcode},{existing.city},Новый адрес 5,Ежедневно 8–22,55.75,37.61,parcel_centre,1\n"
    )
    result = _import(text)
    assert (result.created, result.updated, result.errors) == (1, 1, [])
    existing.refresh_from_db()
    assert (existing.address, existing.kind, existing.has_parcel_window) == ("Новый адрес 5", "parcel_centre", True)
    assert PickupPoint.objects.get(postcode="677000").city == "Якутск"


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written():
    before = PickupPoint.objects.count()
    text = HEADER + (
        "677000,Якутск,пр-т Ленина 1,Пн–Пт 9–18,62.0355,129.6755,,\n"  # line 2: fine
        "07700,Якутск,ул. Ленина 2,Пн–Пт,62.03,129.67,,\n"  # line 3: postcode
        "677002,,ул. Ленина 3,Пн–Пт,62.03,129.67,,\n"  # line 4: no city
        "677003,Якутск,ул. Ленина 4,Пн–Пт,север,129.67,,\n"  # line 5: latitude
        "677004,Якутск,ул. Ленина 5,Пн–Пт,62.03,200,,\n"  # line 6: longitude range
        "677005,Якутск,ул. Ленина 6,Пн–Пт,62.03,129.67,склад,\n"  # line 7: kind
        "677006,Якутск,ул. Ленина 7,Пн–Пт,62.03,129.67,,может быть\n"  # line 8: yes/no
        "677000,Якутск,ул. Ленина 8,Пн–Пт,62.03,129.67,,\n"  # line 9: duplicate of line 2
    )
    result = _import(text)
    lines = [line for line, _why in result.errors]
    assert lines == [3, 4, 5, 6, 7, 8, 9]
    why = dict(result.errors)
    assert "индекс" in why[3] and "город" in why[4] and "широта" in why[5] and "долгота" not in why[5]
    assert "parcel_centre" in why[7] and "да/нет" in why[8] and "строке 2" in why[9]
    assert PickupPoint.objects.count() == before


def test_missing_columns_are_named():
    result = _import("postcode,city\n101000,Москва\n")
    assert result.errors == [(1, "в заголовке нет колонок: address, hours, latitude, longitude")]


def test_semicolon_file_with_bom_is_read():
    text = "\ufeffpostcode;city;address;hours;latitude;longitude\n677000;Якутск;пр-т Ленина 1;Пн–Пт;62,0;129\n"
    result = _import(text)
    assert result.errors and result.errors[0][0] == 2  # a decimal comma is not a number here
    result = _import(text.replace("62,0", "62.0"))
    assert result.created == 1


def test_command_reports_bad_rows_and_fails(tmp_path, capsys):
    path = tmp_path / "points.csv"
    path.write_text(HEADER + "12,Москва,ул. 1,Пн,55,37,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 bad rows: nothing imported"):
        call_command("import_pickup_points", str(path))
    assert "points.csv:2: postcode:" in capsys.readouterr().err


def test_command_imports_a_good_file(tmp_path, capsys):
    path = tmp_path / "points.csv"
    path.write_text(HEADER + "677000,Якутск,пр-т Ленина 1,Пн–Пт 9–18,62.0355,129.6755,,\n", encoding="utf-8")
    call_command("import_pickup_points", str(path))
    assert "created 1, updated 0" in capsys.readouterr().out
