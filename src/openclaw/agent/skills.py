"""Skills: `SKILL.md` files (YAML front matter + markdown) the model is told about and reads on demand.

Sources, highest precedence first: `<workspace>/skills`, each of `skills.load.dirs` in order, then
the skills bundled with openclaw. A skill's name decides precedence: a workspace skill named like a
bundled one replaces it. Only name, description and path reach the prompt; the body is read with
the `read_skill` tool when the model decides it applies (progressive disclosure).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)

SkillSource = Literal["workspace", "dir", "bundled"]
MAX_DEPTH = 4


class SkillRequires(BaseModel):
    model_config = ConfigDict(extra="ignore")

    bins: list[str] = Field(default_factory=list)
    env: list[str] = Field(default_factory=list)


class SkillFrontMatter(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    name: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=1, max_length=1024)
    requires: SkillRequires = Field(default_factory=SkillRequires)
    metadata: dict[str, object] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Skill:
    name: str
    description: str
    path: Path
    source: SkillSource
    missing: tuple[str, ...] = ()

    @property
    def eligible(self) -> bool:
        return not self.missing

    def body(self) -> str:
        text = self.path.read_text(encoding="utf-8", errors="replace")
        _, body = split_front_matter(text)
        return body.replace("{baseDir}", str(self.path.parent)).strip()

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "description": self.description, "path": str(self.path), "source": self.source,
                "eligible": self.eligible, "missing": list(self.missing)}


@dataclass
class SkillCatalog:
    skills: dict[str, Skill] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def eligible(self) -> list[Skill]:
        return [s for s in sorted(self.skills.values(), key=lambda s: s.name) if s.eligible]

    def get(self, name: str) -> Skill | None:
        return self.skills.get(name)


def split_front_matter(text: str) -> tuple[str, str]:
    """(`yaml`, `body`) of a file that opens with `---` front matter; ValueError when it does not."""
    if not text.startswith("---"):
        raise ValueError("SKILL.md must open with YAML front matter between --- lines")
    end = text.find("\n---", 3)
    if end < 0:
        raise ValueError("SKILL.md front matter has no closing --- line")
    return text[3:end], text[end + 4 :].lstrip("\n")


def parse_skill(path: Path, source: SkillSource, env: Mapping[str, str]) -> Skill:
    """Read one SKILL.md; raises ValueError naming the file and field when it is malformed."""
    raw, _ = split_front_matter(path.read_text(encoding="utf-8", errors="replace"))
    try:
        data = yaml.safe_load(raw) or {}
        meta = SkillFrontMatter.model_validate(data)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: front matter is not valid YAML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"{path}: {problems}") from None
    requires = meta.requires
    nested = meta.metadata.get("openclaw")
    if isinstance(nested, dict) and isinstance(nested.get("requires"), dict):
        requires = SkillRequires.model_validate(nested["requires"])
    missing = [f"bin:{b}" for b in requires.bins if shutil.which(b) is None]
    missing += [f"env:{v}" for v in requires.env if not env.get(v)]
    return Skill(meta.name, " ".join(meta.description.split()), path, source, tuple(missing))


def bundled_dir() -> Path:
    return Path(str(resources.files("openclaw.agent").joinpath("bundled_skills")))


def load_skills(workspace_dir: Path, dirs: Sequence[str | Path], env: Mapping[str, str], *, include_bundled: bool = True) -> SkillCatalog:
    """Every skill from every source; the highest-precedence source wins a name."""
    sources: list[tuple[Path, SkillSource]] = [(workspace_dir / "skills", "workspace")]
    sources += [(Path(d).expanduser(), "dir") for d in dirs]
    if include_bundled:
        sources.append((bundled_dir(), "bundled"))
    catalog = SkillCatalog()
    for root, source in sources:
        for path in _skill_files(root):
            try:
                skill = parse_skill(path, source, env)
            except (ValueError, OSError) as exc:
                catalog.problems.append(str(exc))
                log.warning("skills.invalid", extra={"path": str(path), "error": str(exc)})
                continue
            catalog.skills.setdefault(skill.name, skill)
    return catalog


def _skill_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    found: list[Path] = []
    for path in sorted(root.rglob("SKILL.md")):
        if len(path.relative_to(root).parts) <= MAX_DEPTH + 1:
            found.append(path)
    return found
