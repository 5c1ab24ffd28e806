"""Alert automations (flows/automations.py): what `serve --notify` would install, checked offline.

tests/e2e/test_unattended.py installs them on a real server and receives the POSTs.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from flows.automations import Notify, Target, _automations, ui_base


def test_notify_needs_an_http_url_and_a_bounded_patience():
    assert Notify("https://hooks.slack.com/services/T/B/X").not_ready_minutes == 5.0
    for bad in ("hooks.slack.com/x", "ftp://host/x", "http://"):
        with pytest.raises(ValueError, match="--notify needs an http"):
            Notify(bad)
    with pytest.raises(ValueError, match="--not-ready-minutes must be in"):
        Notify("http://127.0.0.1/x", not_ready_minutes=-1)


def test_three_automations_watch_the_deployment_and_the_warehouse():
    dep = uuid4()
    target = Target(dep, "hourly", "/data/wh", "http://127.0.0.1:4200")
    failed, not_ready, alert = _automations(target, Notify("http://127.0.0.1/x", 2), uuid4())
    assert failed.trigger.expect == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.TimedOut"}
    assert failed.trigger.match_related.root == {"prefect.resource.id": f"prefect.deployment.{dep}"}
    assert "http://127.0.0.1:4200/runs/flow-run/{{ flow_run.id }}" in failed.actions[0].body
    assert "/data/wh" in failed.actions[0].body
    assert not_ready.trigger.posture == "Proactive" and not_ready.trigger.within == timedelta(minutes=2)
    assert not_ready.trigger.after == {"prefect.deployment.not-ready"}
    assert alert.trigger.expect == {"newsclean.alert.*"}
    assert alert.trigger.match.root == {"prefect.resource.id": "newsclean.warehouse./data/wh"}
    (at_once, *_) = [a for a in _automations(target, Notify("http://127.0.0.1/x", 0), uuid4()) if "ready" in a.name]
    assert at_once.trigger.posture == "Reactive" and at_once.trigger.expect == {"prefect.deployment.not-ready"}


def test_the_ui_address_is_the_api_address_without_api():
    assert ui_base("http://10.0.0.5:4200/api") == "http://10.0.0.5:4200"
    assert ui_base("http://10.0.0.5:4200/api/") == "http://10.0.0.5:4200"
    assert ui_base("http://10.0.0.5:4200/api", "https://prefect.example.org/") == "https://prefect.example.org"
