from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the set-up superuser if it does not exist (used by `make run`); never changes an existing one."

    def add_arguments(self, parser):
        parser.add_argument("--phone", required=True)
        parser.add_argument("--password", required=True)

    def handle(self, *args, phone: str, password: str, **options):
        User = get_user_model()
        user = User.objects.filter(phone=phone).first()
        if user is None:
            User.objects.create_superuser(phone, password, first_name="Администратор")
            self.stdout.write(f"created superuser {phone}")
        else:
            self.stdout.write(f"superuser {phone} exists")
