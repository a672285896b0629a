"""Keep the SBOM free of any package index address: the generator records each package's distribution
hashes under an "implicit dist url" reference naming the default index; move those hashes onto the
component itself (CycloneDX ``component.hashes``) and drop the reference. Which index pip uses is pip's
own configuration, never the repository's. The generator's own "distribution" links (in the tool
metadata) go for the same reason.

usage: python scripts/sbom_without_index.py sbom.cdx.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(path: Path) -> None:
    bom = json.loads(path.read_text(encoding="utf-8"))
    for component in bom.get("components", []):
        kept = []
        for ref in component.get("externalReferences", []):
            if ref.get("comment") == "implicit dist url":
                component.setdefault("hashes", []).extend(ref.get("hashes", []))
            else:
                kept.append(ref)
        if kept:
            component["externalReferences"] = kept
        else:
            component.pop("externalReferences", None)
    for tool in bom.get("metadata", {}).get("tools", {}).get("components", []):
        refs = [r for r in tool.get("externalReferences", []) if r.get("type") != "distribution"]
        tool["externalReferences"] = refs
    path.write_text(json.dumps(bom, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
