"""Options that travel together, declared once as a dataclass whose fields are typer options with their
defaults; ``@with_groups(name=Group)`` makes them a command's options in place of its parameter ``name``,
which then receives the dataclass built from them."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar, get_type_hints

KEYWORD = inspect.Parameter.KEYWORD_ONLY
Command = TypeVar("Command", bound=Callable[..., Any])


def with_groups(**groups: type) -> Callable[[Command], Command]:
    """Decorate a typer command: each parameter named in ``groups`` is replaced, in its place (the order of
    ``--help``), by the fields of its dataclass, and receives that dataclass when the command runs."""

    def decorate(command: Command) -> Command:
        hints = get_type_hints(command, include_extras=True)
        params: list[inspect.Parameter] = []
        for param in inspect.signature(command).parameters.values():
            if param.name in groups:
                params += _group_params(groups[param.name])
            else:
                params.append(param.replace(kind=KEYWORD, annotation=hints[param.name]))

        @functools.wraps(command)
        def run(**values: Any) -> Any:
            for name, group in groups.items():
                values[name] = group(**{f.name: values.pop(f.name) for f in fields(group)})
            return command(**values)

        run.__signature__ = inspect.Signature(params, return_annotation=hints.get("return"))  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params}
        return run  # type: ignore[return-value]

    return decorate


def _group_params(group: type) -> list[inspect.Parameter]:
    """The fields of dataclass ``group`` as keyword parameters annotated with their typer options."""
    hints = get_type_hints(group, include_extras=True)
    return [
        inspect.Parameter(f.name, KEYWORD, annotation=hints[f.name], default=f.default) for f in fields(group)
    ]
