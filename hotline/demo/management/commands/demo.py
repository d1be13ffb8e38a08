import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from hotline.demo.management.commands.simulate import run_simulation
from hotline.demo.personas import DEMO_PASSWORD, create_personas
from hotline.demo.reference import load_reference
from hotline.publicity.services import publish_demo_cases
from hotline.dispatch import store
from hotline.dispatch.learning import train_from_catalogue
from hotline.demo.supervision import supervise_demo
from hotline.demo.insight import prepare_insight
from hotline.reports.services import CATCH_UP_DAYS, archive_history
from hotline.tickets.models import Ticket


class Command(BaseCommand):
    help = "Build the demo database (Xining reference data and a month of history) and serve it on 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--per-day", type=int, default=1200)
        parser.add_argument("--seed", type=int, default=12345)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="build the database, do not start the server")
        parser.add_argument("--workers", type=int, default=2, help="web processes of the demo server")

    def handle(
        self, *args: Any, days: int, per_day: int, seed: int, port: int, no_serve: bool, workers: int, **options: Any
    ) -> None:
        self.stdout.write("preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        load_reference(say=lambda m: self.stdout.write(f"  {m}"))
        if store.active()[1] is None:
            self.stdout.write("  training the dispatch classifier on the catalogue's examples…")
            row = train_from_catalogue()
            self.stdout.write(f"  classifier version {row.pk}: {row.n_labels} matters, {row.n_train} examples")
        if Ticket.objects.exists():
            self.stdout.write(f"  {Ticket.objects.count()} tickets already there; delete var/ to start afresh")
        else:
            run_simulation(self.stdout, days=days, per_day=per_day, seed=seed)
            supervise_demo(seed=seed, say=lambda m: self.stdout.write(m))
            prepare_insight(lambda m: self.stdout.write(f"  {m}"))
            self.stdout.write("archiving the reports of the simulated month…")
            with tqdm(total=max(0, days - CATCH_UP_DAYS), unit="day", desc="daily reports", leave=False) as bar:
                made = archive_history(days, progress=bar.update)
            self.stdout.write(f"  {len(made)} report files in the archive (/reports/)")
        self.stdout.write(f"  typical cases published: {publish_demo_cases()}")
        personas = create_personas()
        self.stdout.write("")
        self.stdout.write(
            f"西宁12345热线平台 演示: http://127.0.0.1:{port}/  公众门户: http://127.0.0.1:{port}/public/"
        )
        self.stdout.write(f"demo logins (password {DEMO_PASSWORD}):")
        for username, display, unit in personas:
            self.stdout.write(f"  {username:<12} {display}（{unit}）")
        if not no_serve:
            serve_with_worker(port=port, workers=workers, say=self.stdout.write)


def serve_with_worker(*, port: int, workers: int, say: Any) -> None:
    """The production server on 127.0.0.1 and the worker beside it, so deadlines turn red and
    messages go out while someone looks; Ctrl+C (or the server stopping) stops both."""
    worker = subprocess.Popen([sys.executable, "-m", "hotline.cli", "worker", "--sleep", "20"])
    say(f"worker started (process {worker.pid}); Ctrl+C stops the server and the worker")
    try:
        call_command("serve", bind=f"127.0.0.1:{port}", workers=workers, demo=True)
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=30)  # the job in hand finishes; the tick's others wait for next time
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
