"""Serving (flows/deploy.py): the served defaults are every run parameter, validated, with absolute
paths; every problem is one line naming the fix, found before anything is registered."""

from __future__ import annotations

import os

import pytest

from flows.deploy import ServeError, check_serve, deployment_parameters
from flows.params import ParameterError


def test_served_defaults_are_absolute_validated_and_carry_every_parameter(tmp_path, monkeypatch):
    (tmp_path / "inbox").mkdir()
    monkeypatch.chdir(tmp_path)
    given = {"inputs": ["inbox"], "warehouse": "wh", "threshold": 0.7, "min_words": 5, "disabled_rules": ["subscribe"]}
    params = deployment_parameters(given)["params"]
    assert params["inputs"] == [str(tmp_path / "inbox")] and params["warehouse"] == str(tmp_path / "wh")
    assert os.path.isabs(params["warehouse"])
    assert (params["threshold"], params["min_words"], params["disabled_rules"]) == (0.7, 5, ["subscribe"])
    with pytest.raises(ParameterError, match="input not found: nowhere"):
        deployment_parameters({"inputs": ["nowhere"], "warehouse": "wh"})


@pytest.mark.parametrize(
    "cron,zone,given,message",
    [
        ("61 * * * *", "UTC", {}, "invalid cron schedule '61 * * * *'"),
        ("every hour", "UTC", {}, "invalid cron schedule"),
        ("0 * * * *", "Mars/Olympus", {}, "invalid time zone 'Mars/Olympus'"),
        ("0 * * * *", "UTC", {"threshold": 2.0}, "threshold"),
        ("0 * * * *", "UTC", {"inputs": ["/nowhere/at/all"]}, "input not found: /nowhere/at/all"),
    ],
)
def test_bad_serve_options_are_one_line_before_any_server_is_asked(tmp_path, monkeypatch, cron, zone, given, message):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # never reached: the options fail first
    with pytest.raises(ServeError, match=message.replace("*", r"\*")) as e:
        check_serve("hourly", cron, zone, {"warehouse": str(tmp_path / "wh"), **given})
    assert "\n" not in str(e.value)


def test_an_unreachable_server_says_what_to_start(tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    ok = {"inputs": [str(tmp_path / "in")], "warehouse": str(tmp_path / "wh")}
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    with pytest.raises(ServeError, match="does not answer .*prefect server start"):
        check_serve("hourly", "0 * * * *", "UTC", ok)
