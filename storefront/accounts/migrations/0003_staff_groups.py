from django.db import migrations

# Permissions of other apps' models do not exist yet at this point; roles.staff_groups_sync grants them on post_migrate.
STAFF_GROUPS = ["support", "ops"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in STAFF_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_login_code"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
