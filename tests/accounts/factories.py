"""Accounts factories: users are made the way the manager makes them (normalised phone, unusable password)."""

import factory

from storefront.accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"+7916{n:07d}")
    first_name = "Анна"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)
