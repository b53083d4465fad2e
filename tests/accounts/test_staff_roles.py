import pytest
from django.contrib.auth.models import Group

from storefront.accounts.models import User
from storefront.accounts.roles import staff_groups_sync

from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def support_client(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="support"))
    client.force_login(user)
    return client


def test_staff_groups_exist_after_migrate():
    assert set(Group.objects.filter(name__in=["support", "ops"]).values_list("name", flat=True)) == {"support", "ops"}


def test_support_may_view_users_after_migrate():
    perms = Group.objects.get(name="support").permissions.values_list("content_type__app_label", "codename")
    assert ("accounts", "view_user") in perms


def test_sync_is_idempotent():
    before = {g.name: set(g.permissions.all()) for g in Group.objects.prefetch_related("permissions")}
    staff_groups_sync()
    staff_groups_sync()
    after = {g.name: set(g.permissions.all()) for g in Group.objects.prefetch_related("permissions")}
    assert after == before


def test_support_sees_the_users_changelist_in_admin(support_client):
    UserFactory(phone="+79161234567")
    response = support_client.get("/admin/accounts/user/?q=9161234567")
    assert response.status_code == 200
    assert "+79161234567" in response.text


def test_support_cannot_add_a_user_in_admin(support_client):
    assert support_client.get("/admin/accounts/user/add/").status_code == 403


def test_admin_adds_a_user_by_phone_in_any_spelling(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/accounts/user/add/", {"phone": "8 (916) 765-43-21", "usable_password": "false", "_save": "1"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.filter(phone="+79167654321").exists()
