# JobRun was created by supervision.0001_initial as supervision_jobrun; the worker takes it over
# with its rows, so a restarted worker still knows when each job last ran.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("supervision", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="JobRun",
                    fields=[
                        ("name", models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name="job")),
                        ("last_started_at", models.DateTimeField(blank=True, null=True, verbose_name="last started")),
                        ("last_finished_at", models.DateTimeField(blank=True, null=True, verbose_name="last finished")),
                        ("last_result", models.CharField(blank=True, max_length=200, verbose_name="last result")),
                        ("last_error", models.TextField(blank=True, verbose_name="last error")),
                        ("runs", models.PositiveIntegerField(default=0, verbose_name="runs")),
                    ],
                    options={
                        "verbose_name": "job run",
                        "verbose_name_plural": "job runs",
                        "db_table": "supervision_jobrun",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="jobrun", table=None),
    ]
