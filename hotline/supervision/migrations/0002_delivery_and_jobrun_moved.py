# Delivery moved to hotline.outbox and JobRun to hotline.worker (the bottom layer): the tables
# are kept and renamed there, so only the state is removed here.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("outbox", "0001_initial"),
        ("worker", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Delivery"), migrations.DeleteModel(name="JobRun")],
            database_operations=[],
        ),
    ]
