"""Residents using Veerkracht through the proxy, for locust (started by bench/bench_cluster.py).

Each simulated resident logs in once with their own seeded account, from their own address (the
X-Forwarded-For a load balancer in front of nginx would write; bench_cluster.py's nginx believes it),
then, with a few seconds of reading between pages: looks at the home page, their history and their
spider charts, and now and then does a whole check-in (life-event, six steps, "klaar", send, result).

BENCH_WORLD names the JSON file bench_cluster.py wrote: the residents' usernames and check-ins, the
short form's items per pillar and the password.
"""

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

WORLD = json.loads(open(os.environ["BENCH_WORLD"]).read())  # noqa: SIM115, PTH123 - read once at import
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_next_resident = itertools.count()


class Resident(HttpUser):
    wait_time = between(1, 5)  # reading a page, choosing an answer

    def on_start(self):
        n = next(_next_resident) % len(WORLD["residents"])
        self.me = WORLD["residents"][n]
        self.client.headers["X-Forwarded-For"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        page = self.client.get("/inloggen", name="/inloggen")
        reply = self.client.post("/inloggen", name="/inloggen [POST]", data={
            "csrf_token": self._token(page.text), "username": self.me["username"], "password": WORLD["password"]})
        self.token = self._token(reply.text)  # the home page after the redirect

    @staticmethod
    def _token(html: str) -> str:
        found = TOKEN_RE.search(html)
        return found.group(1) if found else ""

    @task(4)
    def home(self):
        self.token = self._token(self.client.get("/", name="/").text) or self.token

    @task(2)
    def history(self):
        self.client.get("/geschiedenis", name="/geschiedenis")

    @task(3)
    def chart(self):
        older, newer = self.me["checkins"][-2:]
        path = random.choice([f"/grafiek/{newer}.svg", f"/grafiek/{newer}.svg?vs={older}"])  # noqa: S311
        self.client.get(path, name="/grafiek/[id].svg")

    @task(1)
    def checkin(self):
        started = self.client.post("/checkin/start", name="/checkin/start", data={"csrf_token": self.token})
        parts = started.url.split("/checkin/", 1)
        if len(parts) != 2:
            return
        draft = parts[1].split("/")[0]
        self.client.post(f"/checkin/{draft}/gebeurtenis", name="/checkin/[draft]/gebeurtenis",
                         data={"csrf_token": self.token, "life_event": "verhuizing"})
        for step, items in enumerate(WORLD["items"].values(), start=1):
            self.wait()  # a resident reads each step
            data = {"csrf_token": self.token, "action": "next"}
            data.update({item: str(random.randint(0, 10)) for item in items})  # noqa: S311
            self.client.post(f"/checkin/{draft}/stap/{step}", name="/checkin/[draft]/stap/[n]", data=data)
        self.client.post(f"/checkin/{draft}/versturen", name="/checkin/[draft]/versturen",
                         data={"csrf_token": self.token})
