"""A centre's busy hour for locust (headless, 127.0.0.1 only): run by ``python -m bench.loadtest``.

Operators register calls through the console (each form with its own retry key, as the page
gives one), dispatchers read their queue, units their inbox, supervisors the pool, leaders the
dashboard. Every registration that got a success answer is written to the ledger
(HOTLINE_LOAD_LEDGER), which the runner compares with the database afterwards.
"""

from __future__ import annotations

import os
import random
import re
import secrets

from locust import HttpUser, between, task

PASSWORD = os.environ.get("HOTLINE_LOAD_PASSWORD", "hotline-demo-2026")
LEDGER = os.environ.get("HOTLINE_LOAD_LEDGER", "ledger.txt")
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PROBLEMS = [
    "小区门口占道经营，早晚高峰堵得走不动，希望管一管。",
    "楼上住户装修噪音太大，晚上十点以后还在施工。",
    "路灯坏了一个多月没人修，晚上走路很危险。",
    "小区供暖温度不达标，家里只有十五度。",
    "垃圾清运不及时，垃圾桶满了好几天。",
]
PLACES = ["城东区东关大街", "城中区南关街", "城西区胜利路", "城北区朝阳街道", "城东区八一路"]


class Staff(HttpUser):
    abstract = True
    username = ""
    wait_time = between(1, 4)

    def on_start(self) -> None:
        page = self.client.get("/login/", name="login form")
        token = _TOKEN.search(page.text)
        self.client.post(
            "/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""},
            name="login",
        )


class Operator(Staff):
    username = "operator"
    weight = 4

    @task(3)
    def register(self) -> None:
        form = self.client.get("/console/", name="/console/")
        token = _TOKEN.search(form.text)
        key = secrets.token_hex(16)
        data = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "channel": "phone_12345",
            "kind": "complaint",
            "urgency": "normal",
            "content": random.choice(PROBLEMS),
            "address": f"{random.choice(PLACES)}{random.randrange(1, 300)}号",
            "requester_name": "张先生",
            "requester_phone": f"139{random.randrange(10**8):08d}",
            "key": key,
        }
        with self.client.post("/console/", data, name="register a call", catch_response=True) as response:
            if response.status_code == 200 and "/tickets/" in response.text and response.history:
                with open(LEDGER, "a", encoding="utf-8") as ledger:
                    ledger.write(key + "\n")
                response.success()
            else:
                response.failure(f"not registered: {response.status_code}")

    @task(1)
    def caller_history(self) -> None:
        self.client.get(f"/console/caller/?requester_phone=139{random.randrange(10**8):08d}", name="/console/caller/")


class Dispatcher(Staff):
    username = "dispatcher"
    weight = 2

    @task
    def queue(self) -> None:
        self.client.get("/queue/", name="/queue/")


class Unit(Staff):
    username = "street"
    weight = 2

    @task
    def inbox(self) -> None:
        self.client.get("/inbox/", name="/inbox/")


class Supervisor(Staff):
    username = "supervisor"
    weight = 1

    @task
    def pool(self) -> None:
        self.client.get("/pool/", name="/pool/")


class Leader(Staff):
    username = "leader"
    weight = 1

    @task
    def dashboard(self) -> None:
        self.client.get("/dashboard/", name="/dashboard/")
