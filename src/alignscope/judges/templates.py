"""Judge prompt templates: Jinja2 files with a YAML header, versioned by the hash of their text.

A template file starts with a Jinja comment holding YAML metadata, then defines a ``prompt`` block (the user
message) and optionally a ``system`` block::

    {#-
    name: my-judge
    mode: pairwise            # a registered judge mode (alignscope.judges.modes)
    parser: verdict_5         # a registered verdict parser (alignscope.judges.parsing)
    labels: {A: A, B: B}      # optional: first-token labels for logprob verdicts -> verdict or number
    multi_turn: other-name    # optional: the template for later turns of multi-turn items
    with_reference: name      # optional: the template to use when the item has a reference answer
    -#}
    {% block system %}...{% endblock %}
    {% block prompt %}... {{ question }} ... {{ answer_a }} ...{% endblock %}

Bundled templates live in ``judges/templates/``; users name their own by file path, or give them names in a
judge config (``templates: {name: path}``). The template's version (its text hash) goes into every Judgment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment

from alignscope.errors import ConfigError, DataError
from alignscope.hashing import text_hash
from alignscope.judges.modes import get_judge_mode
from alignscope.judges.parsing import get_verdict_parser
from alignscope.records import Message

TEMPLATE_DIR = Path(__file__).parent / "templates"
_HEADER = re.compile(r"\A\{#-?(.*?)-?#\}", re.DOTALL)
_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)


@dataclass(frozen=True)
class JudgeTemplate:
    """A loaded judge template: its text, metadata and compiled form."""

    name: str
    text: str
    origin: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Hash of the template text: recorded as ``template_hash`` in every Judgment."""
        return text_hash(self.text)

    @property
    def mode(self) -> str:
        """The judge mode this template is written for."""
        return self.meta["mode"]

    @property
    def parser(self) -> str:
        """Name of the verdict parser for this template's outputs."""
        return self.meta["parser"]

    @property
    def labels(self) -> dict[str, Any]:
        """First-token labels for logprob verdicts (label -> verdict or number); empty if not supported."""
        return {str(k): v for k, v in (self.meta.get("labels") or {}).items()}

    def render(self, **variables: Any) -> tuple[Message, ...]:
        """The chat messages of this template for ``variables`` (system message first when it has one).

        Raises DataError naming the variable when the template needs one that was not given."""
        compiled = _compile(self.text, self.origin)
        variables.setdefault("logprob", False)
        try:
            ctx = compiled.new_context(variables)
            parts = {name: "".join(block(ctx)).strip() for name, block in compiled.blocks.items()}
        except jinja2.UndefinedError as exc:
            raise DataError(f"template {self.name!r} cannot be filled for this item: {exc.message}") from None
        except jinja2.TemplateError as exc:
            raise ConfigError(f"template {self.name!r} failed to render ({exc})", where=self.origin) from None
        messages = []
        if parts.get("system"):
            messages.append(Message(role="system", content=parts["system"]))
        messages.append(Message(role="user", content=parts["prompt"]))
        return tuple(messages)


_COMPILED: dict[str, jinja2.Template] = {}


def _compile(text: str, origin: str) -> jinja2.Template:
    if text not in _COMPILED:
        try:
            _COMPILED[text] = _ENV.from_string(text)
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(f"line {exc.lineno}: invalid Jinja2 ({exc.message})", where=origin) from None
    return _COMPILED[text]


def parse_template(text: str, origin: str, default_name: str) -> JudgeTemplate:
    """A JudgeTemplate from template text; ConfigError naming ``origin`` if the header or blocks are wrong."""
    match = _HEADER.match(text)
    if not match:
        raise ConfigError(
            "a judge template must start with a {# ... #} YAML header (mode, parser)", where=origin
        )
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML header ({getattr(exc, 'problem', exc)})", where=origin) from None
    if not isinstance(meta, dict):
        raise ConfigError("the template header must be a YAML mapping", where=origin)
    for key in ("mode", "parser"):
        if key not in meta:
            raise ConfigError(f"the template header lacks '{key}'", where=origin)
    try:
        get_judge_mode(meta["mode"])
        get_verdict_parser(meta["parser"])
    except ConfigError as exc:
        raise ConfigError(str(exc), where=origin) from None
    if "prompt" not in _compile(text, origin).blocks:
        raise ConfigError("the template defines no {% block prompt %}", where=origin)
    return JudgeTemplate(name=str(meta.get("name", default_name)), text=text, origin=origin, meta=meta)


def list_templates() -> list[str]:
    """Names of the bundled templates."""
    return sorted(p.stem for p in TEMPLATE_DIR.glob("*.j2"))


def load_template(ref: str, user_templates: Mapping[str, str] | None = None) -> JudgeTemplate:
    """The template ``ref``: a name from ``user_templates`` (name -> path), a file path, or a bundled name."""
    user_templates = user_templates or {}
    if ref in user_templates:
        return _from_file(Path(user_templates[ref]).expanduser(), ref)
    path = Path(ref).expanduser()
    if path.suffix in (".j2", ".jinja", ".jinja2") or path.is_file():
        return _from_file(path, path.stem)
    bundled = TEMPLATE_DIR / f"{ref}.j2"
    if not bundled.is_file():
        names = ", ".join([*sorted(user_templates), *list_templates()])
        raise ConfigError(f"unknown judge template {ref!r} (choose {names}, or give a .j2 file path)")
    return _from_file(bundled, ref)


def _from_file(path: Path, name: str) -> JudgeTemplate:
    if not path.is_file():
        raise ConfigError("judge template file not found", where=str(path))
    return parse_template(path.read_text(encoding="utf-8"), str(path), name)


def template_for(
    base: JudgeTemplate, *, multi_turn: bool, reference: bool, user_templates: Mapping[str, str] | None = None
) -> JudgeTemplate:
    """The variant of ``base`` for an item: its ``with_reference`` variant when the item has a reference,
    then that template's ``multi_turn`` variant when a later turn is judged (``base`` where it has none)."""
    chosen = base
    if reference and chosen.meta.get("with_reference"):
        chosen = load_template(chosen.meta["with_reference"], user_templates)
    if multi_turn and chosen.meta.get("multi_turn"):
        chosen = load_template(chosen.meta["multi_turn"], user_templates)
    return chosen
