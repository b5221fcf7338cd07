"""The container image and docker-compose, checked without a Docker engine.

Why: no machine here runs Docker, yet the image is how associations deploy. Twice a change broke
it unseen: a restructure left ``wiring/`` and ``app/`` out of the Dockerfile's COPY lines (the
image had no ``sila``), and the policy importer's reference text was never packaged (``pip
install .``, as the image does, left it out, so ``sila orgs import`` failed only in production).
So this builds the wheel from exactly what the Dockerfile copies, installs it apart from the
checkout, and runs the commands a deployment runs; and it reads docker-compose.yml for settings
Sila would refuse and for the probes it names.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


def dockerfile_copies() -> list[str]:
    """The sources of the Dockerfile's COPY lines (``COPY bot bot`` → ``bot``)."""
    out: list[str] = []
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and parts[0] == "COPY":
            out += [p for p in parts[1:-1] if not p.startswith("--")]
    return out


def test_the_image_copies_every_package_the_project_ships() -> None:
    includes = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "packages"]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in includes}
    copied = set(dockerfile_copies())
    assert packages <= copied, f"Dockerfile does not copy {sorted(packages - copied)}"
    assert {"orgs", "pyproject.toml", "constraints.txt"} <= copied


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from the Dockerfile's copy of the tree, unpacked into its own folder."""
    tmp = tmp_path_factory.mktemp("image")
    src = tmp / "src"
    src.mkdir()
    for name in dockerfile_copies():
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    wheels = tmp / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(src)],
                           capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = wheels.glob("*.whl")
    target = tmp / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    return target


def test_the_wheel_holds_every_file_of_the_packages(installed: Path) -> None:
    """Templates, static files, migrations, YAML and text the code reads at run time included."""
    missing = []
    for package in ("bot", "storage", "wiring", "channels", "console", "app"):
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                rel = path.relative_to(ROOT)
                if not (installed / rel).exists():
                    missing.append(str(rel))
    assert missing == [], "add their suffix to [tool.setuptools.package-data] in pyproject.toml"


def _sila(installed: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``sila`` (its modules first on the path, the dependencies from this
    environment), run outside the checkout with the image's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILA_")}
    env.update({"PYTHONPATH": str(installed), "SILA_DATA_DIR": str(tmp / "data"),
                "SILA_ORGS_DIR": str(ROOT / "orgs")})
    code = "import sys; sys.argv[0] = 'sila'; from app.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=tmp, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_installed_package_migrates_lists_and_imports_a_policy(installed: Path, tmp_path: Path) -> None:
    probe = subprocess.run([sys.executable, "-c", "import app.cli, sys; print(app.cli.__file__)"],
                           env={**os.environ, "PYTHONPATH": str(installed)}, cwd=tmp_path, capture_output=True,
                           text=True, check=True)
    assert probe.stdout.strip().startswith(str(installed)), "the test must run the installed copy"
    migrated = _sila(installed, tmp_path, "migrate")
    assert migrated.returncode == 0, migrated.stderr[-1500:]
    listed = _sila(installed, tmp_path, "orgs", "list")
    assert listed.returncode == 0, listed.stderr[-1500:]
    for slug in ("taheel", "amass", "ilm-alhajj", "rida", "ratel"):
        assert slug in listed.stdout
    imported = _sila(installed, tmp_path, "orgs", "import", str(ROOT / "tests/data/policies/namaa.md"),
                     "--slug", "namaa", "--orgs-dir", str(tmp_path / "orgs"))
    assert imported.returncode == 0, imported.stderr[-1500:]
    assert (tmp_path / "orgs" / "namaa" / "faq.yaml").exists()


def test_compose_sets_only_settings_sila_knows_and_probes_readiness() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    env = {k: str(v) for k, v in compose["services"]["app"]["environment"].items()}
    filled = {k: re.sub(r"\$\{[A-Z_]+:[-?]([^}]*)\}", r"\1", v) for k, v in env.items()}
    filled["SILA_DATA_KEY"] = "A" * 43 + "="
    load_settings(env=filled)  # raises on a setting Sila does not know or a malformed value
    probe = " ".join(compose["services"]["app"]["healthcheck"]["test"])
    assert "/readyz" in probe
    assert compose["services"]["migrate"]["command"] == ["sila", "migrate"]
    # the replicas share built FAQ indexes, in a directory the image creates for its user
    assert "faqindexes:/app/var/faq-indexes" in compose["services"]["app"]["volumes"]
    assert "faqindexes" in compose["volumes"]
    assert "mkdir -p /app/var/faq-indexes && chown -R sila /app/var" in (ROOT / "Dockerfile").read_text()
    assert compose["services"]["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
