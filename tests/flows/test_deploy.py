"""Serving (flows/deploy.py): the served defaults are validated, with absolute paths."""

from __future__ import annotations

import os

import pytest

from flows.deploy import deployment_parameters
from flows.params import ParameterError


def test_served_defaults_are_absolute_and_validated(tmp_path, monkeypatch):
    (tmp_path / "inbox").mkdir()
    monkeypatch.chdir(tmp_path)
    params = deployment_parameters(["inbox"], "wh")["params"]
    assert params["inputs"] == [str(tmp_path / "inbox")] and params["warehouse"] == str(tmp_path / "wh")
    assert os.path.isabs(params["warehouse"]) and params["threshold"] == 0.5
    with pytest.raises(ParameterError, match="input not found: nowhere"):
        deployment_parameters(["nowhere"], "wh")
