"""Settings (cleaners/config.py): validated on construction, one fingerprint, round trip through data."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cleaners.config import ConfigError, DedupConfig, Limits, Settings


def test_settings_round_trip_and_the_fingerprint_follows_every_setting():
    s = Settings()
    assert Settings.from_dict(s.to_dict()) == s
    assert Settings.from_dict(s.to_dict()).fingerprint() == s.fingerprint()
    changed = replace(s, boilerplate=replace(s.boilerplate, disabled_rules=("subscribe",)))
    assert changed.fingerprint() != s.fingerprint()
    assert replace(s, limits=Limits(max_extract_seconds=5)).fingerprint() != s.fingerprint()


def test_lsh_is_tuned_for_the_lower_of_the_candidate_and_verification_thresholds():
    assert DedupConfig().lsh_threshold == 0.4
    low = DedupConfig(threshold=0.3)
    assert low.lsh_threshold == 0.3 and low.bands_rows != DedupConfig().bands_rows
    bands, rows = low.bands_rows
    assert bands * rows <= low.num_perm


def test_bad_values_fail_with_the_field_in_the_message():
    with pytest.raises(ConfigError, match="DedupConfig.num_perm"):
        DedupConfig(num_perm=4)
    with pytest.raises(ConfigError, match="candidate_threshold"):
        DedupConfig(candidate_threshold=0.0)
