"""The admin needs the staff password: a session opened by an SMS code alone is sent to the admin login form."""

import pytest
from django.contrib.auth.models import Group

from .conftest import PHONE, code_from_sms
from .factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Kor1dor-dlya-podderzhki"


@pytest.fixture
def staff():
    user = UserFactory(phone=PHONE, is_staff=True, password=PASSWORD)
    user.groups.add(Group.objects.get(name="support"))
    return user


@pytest.fixture
def sms_login(client, sms_outbox, django_capture_on_commit_callbacks):
    def log_in():
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/account/login/", {"phone": PHONE})
        response = client.post("/account/login/code/", {"code": code_from_sms(sms_outbox[-1][1])})
        assert response.status_code == 302

    return log_in


def password_login(client, phone: str = PHONE, password: str = PASSWORD):
    return client.post("/admin/login/?next=/admin/", {"username": phone, "password": password})


def test_staff_logged_in_by_sms_gets_the_admin_login_form(client, staff, sms_login):
    sms_login()
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert 'id="login-form"' in response.text
    assert 'id="sms-only-note"' in response.text


def test_staff_logged_in_by_sms_cannot_open_an_admin_changelist(client, staff, sms_login):
    sms_login()
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_logged_in_by_sms_is_still_logged_in_on_the_storefront(client, staff, sms_login):
    sms_login()
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_staff_logged_in_with_password_gets_into_the_admin(client, staff):
    assert password_login(client).status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 200
    assert 'id="sms-only-note"' not in response.text


def test_staff_logged_in_by_sms_gets_in_after_entering_the_password(client, staff, sms_login):
    sms_login()
    assert password_login(client).status_code == 302
    assert client.get("/admin/accounts/user/").status_code == 200


def test_wrong_password_keeps_an_sms_session_out_of_the_admin(client, staff, sms_login):
    sms_login()
    assert password_login(client, password="wrong").status_code == 200
    assert client.get("/admin/").status_code == 302


def test_password_login_keeps_support_permissions(client, staff):
    password_login(client)
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/accounts/user/add/").status_code == 403
