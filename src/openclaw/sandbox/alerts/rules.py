"""The kube-prometheus rules as data (name, `for`, labels, annotations, expression) and their templates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from urllib.parse import quote_plus

import yaml

RULES_FILE = "kube_prometheus_rules.yaml"
PROMETHEUS_URL = "http://kube-prometheus-stack-prometheus.monitoring:9090"
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class Rule:
    key: str  # alert name, plus the severity where one name has two rules (KubePersistentVolumeFillingUp)
    alert: str
    expr: str
    for_seconds: float
    labels: dict[str, str]
    annotations: dict[str, str]

    @property
    def generator_url(self) -> str:
        return f"{PROMETHEUS_URL}/graph?g0.expr={quote_plus(self.expr.strip())}&g0.tab=1"


def parse_duration(text: str) -> float:
    """Prometheus durations as the rules use them: `15m`, `1h`, `10m`, `30s`."""
    m = _DURATION.match(text.strip())
    if not m:
        raise ValueError(f"duration {text!r}: expected a number and one of s, m, h, d (e.g. 15m)")
    return float(int(m.group(1)) * _UNITS[m.group(2)])


def load_rules() -> dict[str, Rule]:
    raw = yaml.safe_load(resources.files(__package__).joinpath(RULES_FILE).read_text())
    names = [r["alert"] for r in raw["rules"]]
    out: dict[str, Rule] = {}
    for r in raw["rules"]:
        labels = {k: str(v) for k, v in (r.get("labels") or {}).items()}
        key = r["alert"] if names.count(r["alert"]) == 1 else f"{r['alert']}:{labels.get('severity', '')}"
        out[key] = Rule(key, r["alert"], r["expr"], parse_duration(r["for"]) if r.get("for") else 0.0, labels,
                        {k: str(v) for k, v in (r.get("annotations") or {}).items()})
    return out


_WITH = re.compile(r"\{\{ with \$labels\.(\w+) -\}\}\s*(.*?)\s*\{\{- end \}\}", re.S)
_LABEL = re.compile(r"\{\{ \$labels\.(\w+) \}\}")
_PRINTF = re.compile(r'\{\{ printf "(%[^"]+)" \$value \}\}')
_HUMANIZE = re.compile(r"\{\{ \$value \| humanizePercentage\s*\}\}")


def render(template: str, labels: dict[str, str], value: float) -> str:
    """Expand the Go-template forms these rules use, as Prometheus would (a missing label is empty)."""

    def with_block(m: re.Match[str]) -> str:
        present = labels.get(m.group(1), "")
        return m.group(2).replace("{{ . }}", present) if present else ""

    out = _WITH.sub(with_block, template)
    out = _PRINTF.sub(lambda m: format(value, m.group(1)[1:]), out)
    out = _HUMANIZE.sub(lambda m: f"{value * 100:.4g}%", out)
    return _LABEL.sub(lambda m: labels.get(m.group(1), ""), out)
