"""Brokerlab's settings: one class, read from BROKERLAB_* environment variables.

Tests build their own `Settings(content_dir=...)` and pass it to `create_app`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.paths import CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BROKERLAB_", extra="ignore")

    #: Loopback by default: the course is for one person on their own machine.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    content_dir: Path = CONTENT_DIR
    templates_dir: Path = TEMPLATES_DIR
    static_dir: Path = STATIC_DIR
