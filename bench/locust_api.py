"""Locust users for ``bench.api``: partners submitting requests as fast as they can."""

from __future__ import annotations

import itertools
import os
import uuid

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

TOKEN = os.environ["HOTLINE_BENCH_TOKEN"]
_seq = itertools.count()
PLACES = ["城东区东关大街街道东关大街", "城中区人民街街道", "城西区西关大街街道", "城北区朝阳街道"]
PROBLEMS = ["路灯不亮", "垃圾没人清运", "小区门口占道经营", "暖气不热", "楼上漏水"]


class Partner(FastHttpUser):
    wait_time = constant(0)

    @task
    def submit(self) -> None:
        n = next(_seq)
        key = uuid.uuid4().hex
        body = {
            "external_id": f"LOAD-{key}",
            "content": f"{PLACES[n % 4]}{n % 30 + 1}号附近{PROBLEMS[n % 5]}，希望尽快处理。",
            "requester_phone": f"139{n % 10**8:08d}",
            "address": PLACES[n % 4],
        }
        with self.client.post(
            "/api/v1/tickets",
            json=body,
            headers={"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": key},
            name="POST /api/v1/tickets",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
