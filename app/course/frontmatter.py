"""The front matter every lesson file in content/ carries, and its checks."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.configs import registry


class SelfCheckItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=5)
    answer: str = Field(min_length=1)
    explanation: str = Field(min_length=10)


class FrontMatter(BaseModel):
    """slug, title, track, module, order, summary, configs, self_check (2-4), related."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=3, max_length=90)
    track: Literal["kafka", "aws"]
    module: str = Field(min_length=2)
    order: int = Field(ge=1)
    summary: str = Field(min_length=10, max_length=200)
    #: Registry names ("linger.ms"); each must exist in app/configs/kafka_configs.yaml.
    configs: list[str] = Field(default_factory=list)
    self_check: list[SelfCheckItem] = Field(min_length=2, max_length=4)
    #: Slugs of lessons this one points to (the AWS and Kafka tracks meet here).
    related: list[str] = Field(default_factory=list)
    #: The live lab shown as the lesson's last slide: a name in app.live.LABS ("acks").
    lab: str | None = Field(default=None, pattern=r"^[a-z]+(-[a-z]+)*$")

    @field_validator("configs")
    @classmethod
    def _configs_exist(cls, names: list[str]) -> list[str]:
        missing = [n for n in names if not registry().find(n)]
        if missing:
            raise ValueError(f"not in the config registry: {', '.join(missing)}")
        return names


class FrontMatterError(ValueError):
    """A lesson file whose front matter is missing or wrong; the message names the file."""


def split_front_matter(path: Path) -> tuple[FrontMatter, str]:
    """The checked front matter and the Markdown body of a lesson file."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise FrontMatterError(f"{path}: a lesson starts with '---' and YAML front matter")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise FrontMatterError(f"{path}: front matter is not closed by a '---' line")
    try:
        data = yaml.safe_load(text[4:end])
        meta = FrontMatter.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise FrontMatterError(f"{path}: bad front matter: {exc}") from None
    if path.stem != meta.slug:
        raise FrontMatterError(f"{path}: the file name must be the slug ({meta.slug}.md)")
    return meta, text[end + 5 :]
