"""A Babel extractor for text kept in YAML data files, so that the catalogues hold it without a copy in code.

Registered in ``babel.cfg`` (``[extractors] yaml = opennrm.web.catalogue_extract:extract_yaml``) for the data
files whose English text the pages translate through the catalogues — the red-flag lexicon
(``recruitment/data/red_flags.yaml``: each flag's ``name`` and ``explanation``). Options, per file section:

- ``keys``: the mapping keys whose plain-text values are messages (``keys = name explanation``);
- ``under``: only below this top-level key (``under = flags``).

A value given per language (a mapping such as ``{en: …, zh-Hant: …}``, as the screening catalogues and the
identification procedures carry) is translated in the file itself and is not extracted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

Extracted = tuple[int, str | None, str, list[str]]


def _walk(node: yaml.Node, keys: frozenset[str]) -> Iterator[Extracted]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and key.value in keys
                and isinstance(value, yaml.ScalarNode)
                and value.tag == "tag:yaml.org,2002:str"
                and value.value.strip()
            ):
                yield value.start_mark.line + 1, None, value.value, []
            else:
                yield from _walk(value, keys)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, keys)


def extract_yaml(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[Extracted]:
    """Babel's extractor interface: (line, function name, message, translator comments) per message."""
    keys = frozenset(str(options.get("keys", "")).split())
    root = yaml.compose(fileobj.read().decode("utf-8"), Loader=yaml.SafeLoader)
    if root is None or not keys:
        return
    under = str(options.get("under", "")).strip()
    if under and isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value == under:
                yield from _walk(value, keys)
        return
    yield from _walk(root, keys)
