import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.ops import server


class Command(BaseCommand):
    help = "Serve the site on gunicorn (static files by WhiteNoise), after checking the settings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT (default 127.0.0.1:8000)")
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("HOTLINE_WEB_WORKERS", "0") or 0) or None,
            help="web processes (default: 2 per core, at least 2)",
        )
        parser.add_argument("--threads", type=int, default=1, help="threads per process (gthread when > 1)")
        parser.add_argument(
            "--timeout", type=int, default=60, help="seconds before a stuck request's process is replaced"
        )
        parser.add_argument("--demo", action="store_true", help="allow the demo key and DEBUG, on 127.0.0.1 only")
        parser.add_argument("--no-collectstatic", action="store_true", help="static files were collected already")
        parser.add_argument("--check", action="store_true", help="check the settings and stop")

    def handle(
        self,
        *args: Any,
        bind: str,
        workers: int | None,
        threads: int,
        timeout: int,
        demo: bool,
        no_collectstatic: bool,
        check: bool,
        **options: Any,
    ) -> None:
        found = server.problems(demo=demo, bind=bind)
        if found:
            raise CommandError("refusing to serve:\n  " + "\n  ".join(found))
        if workers is None:
            workers = max(2, 2 * (os.cpu_count() or 1))
        if workers < 1 or workers > 64:
            raise CommandError("--workers must be between 1 and 64")
        if threads < 1 or threads > 64:
            raise CommandError("--threads must be between 1 and 64")
        if check:
            self.stdout.write("settings fit for serving")
            return
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        server.prepare_metrics_dir()
        self.stdout.write(f"serving on http://{bind}/ with {workers} processes (Ctrl+C stops)")
        self.stdout.flush()
        server.serve(bind=bind, workers=workers, threads=threads, timeout=timeout)
