# Delivery was created by supervision.0001_initial as the table supervision_delivery. This takes
# it over without touching the rows: the state first, then the table and index get outbox names.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("orgs", "0001_initial"),
        ("tickets", "0002_extension_overlay"),
        ("supervision", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Delivery",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=120, unique=True, verbose_name="key")),
                        (
                            "channel",
                            models.CharField(
                                choices=[("sms", "SMS"), ("email", "e-mail"), ("inbox", "platform inbox")],
                                default="sms",
                                max_length=8,
                                verbose_name="channel",
                            ),
                        ),
                        ("address", models.CharField(max_length=120, verbose_name="address")),
                        ("subject", models.CharField(blank=True, max_length=200, verbose_name="subject")),
                        ("body", models.TextField(verbose_name="body")),
                        (
                            "state",
                            models.CharField(
                                choices=[("pending", "pending"), ("sent", "sent"), ("failed", "failed")],
                                default="pending",
                                max_length=8,
                                verbose_name="state",
                            ),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                        ("next_attempt_at", models.DateTimeField(verbose_name="next attempt at")),
                        ("last_error", models.TextField(blank=True, verbose_name="last error")),
                        ("transport", models.CharField(blank=True, max_length=20, verbose_name="transport")),
                        ("created_at", models.DateTimeField(verbose_name="created at")),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                        (
                            "ticket",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="tickets.ticket",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="orgs.unit",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "delivery",
                        "verbose_name_plural": "deliveries",
                        "db_table": "supervision_delivery",
                        "indexes": [
                            models.Index(fields=["state", "next_attempt_at"], name="supervision_state_0bfa12_idx")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="delivery", table=None),
        migrations.RenameIndex(
            model_name="delivery", new_name="delivery_state_next_attempt", old_name="supervision_state_0bfa12_idx"
        ),
    ]
