"""``opennrm screen INPUT.json``: an explainable presumed-victim determination from the command line."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from opennrm.screening import (
    Catalogue,
    CatalogueError,
    ScreeningInputError,
    Strength,
    load_catalogue,
    screen,
)
from opennrm.screening.catalogue import pick_text
from opennrm.screening.language import is_language_code

EXIT_INVALID_INPUT = 2
_STRENGTH_BY_WORD = {strength.word: strength.value for strength in Strength}
_MAX_INPUT_BYTES = 1_000_000


class OutputFormat(StrEnum):
    JSON = "json"
    TEXT = "text"


def _fail(message: str) -> NoReturn:
    typer.echo(f"opennrm screen: {message}", err=True)
    raise typer.Exit(EXIT_INVALID_INPUT)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _read_input(path: str) -> Any:
    name = "standard input" if path == "-" else path
    try:
        if path == "-":
            text = sys.stdin.read(_MAX_INPUT_BYTES + 1)
        else:
            with Path(path).open(encoding="utf-8") as handle:
                text = handle.read(_MAX_INPUT_BYTES + 1)
    except OSError as error:
        _fail(f"cannot read {name}: {error.strerror or error}")
    except UnicodeDecodeError:
        _fail(f"{name} is not UTF-8 text")
    if len(text) > _MAX_INPUT_BYTES:
        _fail(f"{name} is larger than {_MAX_INPUT_BYTES} characters")
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicates)
    except json.JSONDecodeError as error:
        _fail(f"{name}, line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}")
    except ValueError as error:
        _fail(f"{name}: not valid JSON: {error}")


def render_text(result: dict[str, Any], catalogue: Catalogue) -> str:
    """The result as plain text for a terminal, labelled in the result's language."""
    m = catalogue.messages[result["lang"]]
    language = result["lang"]

    def yes_no(value: bool) -> str:
        return m.label("yes") if value else m.label("no")

    profile = catalogue.profiles[result["profile"]]
    profile_line = f"{m.label('profile')}: {pick_text(profile.title, language)} ({result['profile']})"
    if result["provisional"]:
        profile_line += f" [{m.label('provisional')}]"
    lines = [
        f"{m.label('presumed_victim')}: {yes_no(result['presumed_victim'])}"
        f" ({m.label('rule')}: {m.word('rules', result['rule'])})",
        f"{m.label('child')}: {yes_no(result['child'])}",
        profile_line,
        f"{m.label('near_miss')}: {yes_no(result['near_miss'])}",
        f"{m.label('dimensions')}:",
    ]
    for code, finding in result["dimensions"].items():
        name = pick_text(catalogue.dimensions[code].name, language)
        verdict = m.label("positive") if finding["positive"] else m.label("negative")
        seen = ", ".join(
            f"{item['id']} ({m.word('strengths', _STRENGTH_BY_WORD[item['strength']])})"
            if item["strength"]
            else f"{item['id']} (-)"
            for item in finding["indicators"]
        )
        lines.append(f"  {code:<4}{name}: {verdict}" + (f": {seen}" if seen else ""))
    lines.append(f"{m.label('explanation')}:")
    lines.extend(f"  - {sentence}" for sentence in result["explanation"])
    lines.append(f"{m.label('recommended_action')}:")
    lines.append(f"  {result['recommended_action']}")
    lines.append(f"{m.label('catalogue')}: {result['catalogue_version']}")
    return "\n".join(lines)


def screen_command(
    input_file: Annotated[
        str,
        typer.Argument(
            metavar="INPUT.json",
            help="The screening input as a JSON object (see docs/screening.md); '-' reads standard input.",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        str, typer.Option("--format", help="Output format: json or text.", metavar="json|text")
    ] = OutputFormat.JSON.value,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help="Language of the explanation: en, zh-Hant, zh-Hans (others: English with a note).",
            metavar="CODE",
        ),
    ] = "en",
    catalogue_file: Annotated[
        Path | None,
        typer.Option(
            "--catalogue",
            help="A national catalogue YAML file (complete, or 'extends: ilo-ec-2009') to use instead of "
            "the packaged ILO/EC catalogue.",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Screen one person: is she or he a presumed victim of trafficking, by which rule, and why.

    A negative result never closes access to assistance. Invalid input exits with code 2.
    """
    if output_format not in {f.value for f in OutputFormat}:
        _fail(f"--format must be json or text, not {output_format!r}")
    if not is_language_code(lang):
        _fail(f"--lang must be a language code such as en or zh-Hant, not {lang!r}")
    try:
        catalogue = load_catalogue(catalogue_file)
    except CatalogueError as error:
        _fail(f"invalid catalogue: {error}")
    raw = _read_input(input_file)
    try:
        result = screen(raw, lang=lang, catalogue=catalogue)
    except ScreeningInputError as error:
        _fail(f"invalid input: {error}")
    if output_format == OutputFormat.TEXT:
        typer.echo(render_text(result, catalogue))
    else:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    app.command("screen", no_args_is_help=True)(screen_command)
