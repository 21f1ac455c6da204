"""Print constraints.txt: the installed version of every package `scripts/setup.sh` installs.

    python3 scripts/freeze_constraints.py > constraints.txt

Run it in an environment where the suite passes. It walks the requirements of trtlab[all] (read
from pyproject.toml) through the installed packages' metadata, plus the packages setup.sh
installs with --no-deps, so the file pins exactly what the set-up installs and nothing else
that happens to be in the environment.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
# Installed by setup.sh with --no-deps: their own requirements are not followed.
NO_DEPS = ["rapidocr-onnxruntime", "nudenet"]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def project_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {})
    out, seen, todo = [Requirement(r) for r in project["dependencies"]], set(), ["all"]
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for text in extras[extra]:
            req = Requirement(text)
            if canonical(req.name) == canonical(project["name"]):
                todo.extend(req.extras)  # trtlab[lab,rtx,...] names other extras
            else:
                out.append(req)
    return out


def closure(roots: list[Requirement]) -> dict[str, str]:
    pins: dict[str, str] = {}
    seen: set[tuple[str, frozenset]] = set()  # a package reached with other extras has other requirements
    todo = [(r, frozenset(r.extras)) for r in roots]
    while todo:
        req, extras = todo.pop()
        name = canonical(req.name)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            sys.exit(f"{req.name} is not installed: install the set-up first (bash scripts/setup.sh)")
        pins[name] = f"{dist.metadata['Name']}=={dist.version.split('+')[0]}"
        for text in dist.requires or []:
            sub = Requirement(text)
            envs = [{"extra": e} for e in extras] or [{"extra": ""}]
            if sub.marker is None or any(sub.marker.evaluate(env) for env in envs):
                todo.append((sub, frozenset(sub.extras)))
    return pins


def main() -> None:
    pins = closure(project_requirements())
    for name in NO_DEPS:
        pins[canonical(name)] = f"{metadata.distribution(name).metadata['Name']}=={metadata.version(name)}"
    print("# Exact versions the test run installs (bash scripts/setup.sh installs with -c constraints.txt).")
    print("# Made by: python3 scripts/freeze_constraints.py > constraints.txt, in an environment where")
    print("# the suite passes. pyproject.toml keeps ranges; scripts/try-newest.sh tries the newest releases.")
    for name in sorted(pins):
        print(pins[name])


if __name__ == "__main__":
    main()
