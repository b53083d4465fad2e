"""The postal sandbox speaks the partner's protocols and moves parcels along on its own clock."""

from __future__ import annotations

import base64
import json
import re
import urllib.request

import pytest

from logistics.postal.sandbox.journeys import ParcelSpec, journey, scenario_for
from logistics.tracking_numbers import is_valid, s10_make

from .soap import post, ticket_request


def _codes(operations) -> list[tuple[int, int]]:
    return [(op["type"], op["attr"]) for op in operations]


def test_china_direct_journey_goes_through_export_customs_and_sorting_to_delivery(post_sandbox):
    barcode = s10_make(serial=12345600, country="CN")
    post_sandbox.parcel(barcode, scenario="normal", kind="china", index_to="101000")
    post_sandbox.advance(days=20)
    assert _codes(post_sandbox.operations(barcode)) == [
        (1, 1), (8, 5), (10, 0), (8, 6), (8, 13), (9, 0), (11, 0), (14, 1), (8, 6), (8, 3), (8, 4), (8, 2), (2, 1),
    ]  # fmt: skip


def test_scenario_is_chosen_from_the_barcode_serial():
    assert scenario_for(s10_make(serial=10000005, country="CN")) == "normal"
    assert scenario_for(s10_make(serial=10000085, country="CN")) == "lost"
    assert scenario_for(s10_make(serial=10000099, country="CN")) == "nodata"


@pytest.mark.parametrize(
    ("scenario", "tail"),
    [
        ("lost", [(8, 3), (5, 1)]),
        ("returned", [(8, 2), (3, 1)]),
        ("cod_refused", [(8, 2), (12, 6), (3, 4)]),
    ],
)
def test_scenarios_end_as_the_partner_reports_them(scenario, tail):
    ops = journey(ParcelSpec("RA123456785CN", "china", scenario, start=0.0, index_to="101000"))
    codes = [(op.type, op.attr) for op in ops]
    assert codes[codes.index(tail[0]) : codes.index(tail[0]) + len(tail)] == tail


def test_customs_held_parcel_waits_for_duties_before_release():
    ops = journey(ParcelSpec("RA123456785CN", "china", "customs_held", start=0.0, index_to="630090"))
    codes = [(op.type, op.attr) for op in ops]
    assert codes[codes.index((11, 0)) : codes.index((11, 0)) + 5] == [(11, 0), (24, 1055), (14, 6), (19, 0), (14, 13)]
    assert codes[-1] == (2, 1)


def test_operations_are_in_time_order_with_whole_minutes():
    ops = journey(ParcelSpec("10944022440321", "domestic", "returned", start=1_700_000_000.0, index_to="630090"))
    times = [op.at for op in ops]
    assert times == sorted(times)
    assert all(t % 60 == 0 for t in times)


def test_ticket_answer_is_not_ready_before_fifteen_sandbox_minutes(post_sandbox):
    status, text = post(post_sandbox.server.batch_url, ticket_request(["RA123456785CN"]))
    ticket = re.search(r"<value>([^<]+)</value>", text).group(1)
    body = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:pos="http://fclient.russianpost.org/postserver"><soapenv:Body><pos:answerByTicketRequest>'
        f"<ticket>{ticket}</ticket><login>store</login><password>sandbox-password</password>"
        "</pos:answerByTicketRequest></soapenv:Body></soapenv:Envelope>"
    )
    assert 'ErrorTypeID="6"' in post(post_sandbox.server.batch_url, body)[1]
    post_sandbox.advance(minutes=15)
    status, text = post(post_sandbox.server.batch_url, body)
    assert status == 200
    assert '<ns3:Item Barcode="RA123456785CN">' in text


def test_ticket_ids_carry_time_and_login(post_sandbox):
    text = post(post_sandbox.server.batch_url, ticket_request(["RA123456785CN"]))[1]
    assert re.search(r"<value>\d{17}STORE</value>", text)


@pytest.mark.parametrize(
    ("barcodes", "kwargs", "code"),
    [
        (["RA123456785CN"], {"password": "wrong"}, "3"),
        (["RA123456785CN"] * 3001, {}, "18"),
        (["RA123456785CN"], {"language": "DEU"}, "20"),
        (["RA1234567850000CN"], {}, "21"),
    ],
)
def test_get_ticket_errors_come_as_error_type_ids(post_sandbox, barcodes, kwargs, code):
    status, text = post(post_sandbox.server.batch_url, ticket_request(barcodes, **kwargs))
    assert status == 200
    assert f'<error ErrorTypeID="{code}"' in text


def test_single_access_without_must_understand_is_an_authorization_fault(post_sandbox):
    body = (
        '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:oper="http://russianpost.org/operationhistory" xmlns:data="http://russianpost.org/operationhistory/data">'
        "<soap:Body><oper:getOperationHistory><data:OperationHistoryRequest><data:Barcode>RA123456785CN</data:Barcode>"
        "<data:MessageType>0</data:MessageType></data:OperationHistoryRequest><data:AuthorizationHeader>"
        "<data:login>store</data:login><data:password>sandbox-password</data:password></data:AuthorizationHeader>"
        "</oper:getOperationHistory></soap:Body></soap:Envelope>"
    )
    status, text = post(post_sandbox.server.single_url, body, "application/soap+xml; charset=utf-8")
    assert status == 500
    assert "AuthorizationFault" in text


def test_requests_with_a_dtd_are_refused(post_sandbox):
    body = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    status, text = post(post_sandbox.server.batch_url, body)
    assert status == 500
    assert "Fault" in text


def test_otpravka_assigns_a_valid_barcode_to_each_backlog_order(post_sandbox):
    base = {"mail-type": "POSTAL_PARCEL", "mass": 800}
    declaration = {
        "currency": "RUB",
        "entries-type": "SALE_OF_GOODS",
        "customs-entries": [
            {"amount": 1, "country-code": 156, "description": "Наушники", "tnved-code": "8518300000",
             "value": 150000, "weight": 700},
        ],
    }  # fmt: skip
    orders = [
        {**base, "order-num": "MS-1-1", "mail-category": "ORDINARY", "index-to": 101000},
        {**base, "order-num": "MS-1-2", "mail-category": "WITH_DECLARED_VALUE", "index-to": 630090,
         "insr-value": 150000, "customs-declaration": declaration},
        {**base, "order-num": "MS-1-3", "mail-category": "WITH_DECLARED_VALUE_AND_CASH_ON_DELIVERY",
         "index-to": 101000, "insr-value": 1000, "payment": 2000},
    ]  # fmt: skip
    request = urllib.request.Request(
        post_sandbox.server.otpravka_url + "user/backlog",
        data=json.dumps(orders).encode(),
        method="PUT",
        headers={
            "Authorization": "AccessToken sandbox-token",
            "X-User-Authorization": "Basic " + base64.b64encode(b"store:sandbox-password").decode(),
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    assert len(answer["result-ids"]) == 2
    assert answer["errors"] == [
        {"position": 2, "error-codes": [{"code": "PAYMENT_EXCEEDS_INSR_VALUE",
                                         "description": "Наложенный платёж больше объявленной ценности"}]}
    ]  # fmt: skip
    barcodes = [post_sandbox.server.state.backlog_get(i)["barcode"] for i in answer["result-ids"]]
    assert re.fullmatch(r"\d{14}", barcodes[0]) and is_valid(barcodes[0])
    assert re.fullmatch(r"CA\d{9}RU", barcodes[1]) and is_valid(barcodes[1])
