"""The Nu Html Checker (vnu, the W3C validator) for the crawl test: found, or installed once from the
npm registry into .cache/vnu (it needs Java and npm; .ci/run installs them where they are missing)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VNU_VERSION = "26.9.27"
CACHE = ROOT / ".cache" / "vnu"
JAR = CACHE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_jar() -> tuple[Path | None, str]:
    """(the jar, "") or (None, why not)."""
    if os.environ.get("VNU_JAR"):
        return Path(os.environ["VNU_JAR"]), ""
    if not shutil.which("java"):
        return None, "no Java to run vnu (apt-get install default-jre-headless)"
    if JAR.exists():
        return JAR, ""
    if not shutil.which("npm"):
        return None, "no npm to install vnu-jar"
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(CACHE),
                           f"vnu-jar@{VNU_VERSION}"], capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not JAR.exists():
        return None, f"npm could not install vnu-jar: {done.stderr[-500:]}"
    return JAR, ""


def validate(jar: Path, files: list[Path]) -> list[dict]:
    """Every HTML error vnu finds in these files, as {"url", "line", "message", "extract"}."""
    done = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
                          capture_output=True, text=True, timeout=600)
    report = json.loads(done.stderr or "{}")
    return [{"url": m.get("url", ""), "line": m.get("lastLine"), "message": m.get("message", ""),
             "extract": (m.get("extract") or "").strip()[:200]}
            for m in report.get("messages", []) if m.get("type") == "error"]
