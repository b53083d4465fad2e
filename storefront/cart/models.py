"""Carts: one per signed-in shopper, one per guest session (its id kept in the session), lines by SKU."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.validators import MAX_LINE_QUANTITY


class Cart(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cart",
        verbose_name=_("покупатель"),
    )
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True, db_index=True)  # old guest carts are swept

    class Meta:
        verbose_name = _("корзина")
        verbose_name_plural = _("корзины")

    def __str__(self) -> str:
        return f"#{self.pk} {self.user or _('гость')}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveSmallIntegerField(_("количество"))
    # The rouble price the shopper saw when adding (or last accepted): a different current price is flagged.
    price_rub_seen = models.DecimalField(_("цена при добавлении, ₽"), max_digits=12, decimal_places=2)
    added_at = models.DateTimeField(_("добавлено"), default=timezone.now)

    class Meta:
        verbose_name = _("позиция корзины")
        verbose_name_plural = _("позиции корзины")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="cartline_cart_sku_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_LINE_QUANTITY), name="cartline_quantity_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id} × {self.quantity}"
