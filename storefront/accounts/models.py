"""Accounts: customers and staff, identified by a phone number in E.164."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .phone import normalize_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **extra):
        user = self.model(phone=normalize_phone(phone), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    phone = models.CharField(_("телефон"), max_length=16, unique=True, help_text=_("В формате E.164: +79161234567"))
    email = models.EmailField(_("эл. почта"), blank=True)
    first_name = models.CharField(_("имя"), max_length=100, blank=True)
    last_name = models.CharField(_("фамилия"), max_length=100, blank=True)
    language = models.CharField(_("язык"), max_length=5, default="ru", choices=[("ru", "Русский"), ("en", "English")])
    is_staff = models.BooleanField(_("сотрудник"), default=False)
    is_active = models.BooleanField(_("активен"), default=True)
    date_joined = models.DateTimeField(_("зарегистрирован"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.phone

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.phone

    def get_short_name(self) -> str:
        return self.first_name or self.phone


class LoginCode(models.Model):
    """A one-time SMS code for logging in; only its HMAC is stored. The newest row for a phone is the live one."""

    phone = models.CharField(_("телефон"), max_length=16)
    code_hash = models.CharField(_("хеш кода"), max_length=64)
    ip = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("неверных попыток"), default=0)
    created_at = models.DateTimeField(_("отправлен"), default=timezone.now)
    expires_at = models.DateTimeField(_("действует до"))
    used_at = models.DateTimeField(_("использован"), null=True, blank=True)

    class Meta:
        verbose_name = _("код входа")
        verbose_name_plural = _("коды входа")
        indexes = [models.Index(fields=["phone", "-created_at"], name="accounts_logincode_phone_idx")]

    def __str__(self) -> str:
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"
