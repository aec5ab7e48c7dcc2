"""The architecture rules that a reader cannot see in any one file."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "adsbot"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_domain_imports_only_the_standard_library_and_itself() -> None:
    offenders = []
    for path in sorted((PACKAGE / "domain").rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or name.startswith("adsbot.domain"):
                continue
            offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_the_purity_check_catches_a_foreign_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import sqlalchemy\nfrom adsbot.storage import models\n")
    assert _imports(sample) == {"sqlalchemy", "adsbot.storage"}


def test_the_package_layout_exists() -> None:
    for part in ("domain", "storage", "services", "bot", "web", "jobs", "adapters", "cli"):
        assert (PACKAGE / part / "__init__.py").is_file(), part
    assert (PACKAGE / "storage" / "migrations" / "env.py").is_file()


def test_importing_every_module_reads_no_environment_and_connects_nowhere(tmp_path: Path) -> None:
    """Import all of adsbot in a child whose environment would make any connection fail loudly."""
    code = (
        "import importlib, os, pkgutil, sys, sqlalchemy\n"
        "reads = []\n"
        "class Spy(dict):\n"
        "    def _note(self, key):\n"
        "        caller = sys._getframe(2).f_code.co_filename\n"
        "        if '/adsbot/' in caller: reads.append((key, caller))\n"
        "    def __getitem__(self, key): self._note(key); return dict.__getitem__(self, key)\n"
        "    def get(self, key, default=None): self._note(key); return dict.get(self, key, default)\n"
        "os.environ = Spy(os.environ)\n"
        "engines = []\n"
        "orig = sqlalchemy.create_engine\n"
        "sqlalchemy.create_engine = lambda *a, **k: engines.append(a) or orig(*a, **k)\n"
        "import adsbot\n"
        "for m in pkgutil.walk_packages(adsbot.__path__, 'adsbot.'):\n"
        "    if '.migrations' in m.name or m.name.endswith('__main__'):\n"
        "        continue\n"
        "    importlib.import_module(m.name)\n"
        "assert engines == [], engines\n"
        "assert reads == [], reads\n"
        "print('imported')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "ADSBOT_ENV_FILE": os.devnull},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stdout
    assert not list(tmp_path.iterdir()), "importing created files"
