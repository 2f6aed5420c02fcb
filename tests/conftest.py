"""Shared fixtures. Tests run offline: no model or data is fetched from a hub."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest

from beleidszoeker.config import Settings, get_settings


@pytest.fixture
def settings_real() -> Settings:
    """The project's settings (shipped corpus), read-only use."""
    return get_settings()
