#!/usr/bin/env python3
"""Builds data/match-eval.tsv: a labelled set of messy institution names for the
matching benchmark, derived deterministically (seeded) from data/directory.tsv.

Columns: query, expected_domain (empty when the query names no institution), kind.
Kinds: acronym, abbreviation, typo, word_order, case_punct, domain, email, chinese, none.
Run from the repository root: python3 scripts/data/gen_match_eval.py
"""
import random
import re
from pathlib import Path

SRC = Path("data/directory.tsv")
OUT = Path("data/match-eval.tsv")
PER_KIND = 50
STOP = {"of", "the", "and", "for", "de", "la", "le", "di", "da", "des", "du", "y", "e", "et", "at", "in", "a", "an"}
ABBREV = {"university": "Univ.", "institute": "Inst.", "technology": "Tech.", "college": "Coll.", "international": "Intl.",
          "national": "Natl.", "science": "Sci.", "sciences": "Sci.", "academy": "Acad.", "kuala lumpur": "KL"}
NONE = [
    "Northern Lights Culinary Academy of Atlantis", "Royal Institute of Imaginary Numbers", "Moonbase Technical College",
    "Elven Forest Polytechnic", "Underwater Basket Weaving Institute of Mu", "Lemuria School of Applied Dreams",
    "Grand Duchy of Fenwick State College", "Professor Xavier's School for the Gifted", "Hogsmeade Institute of Potions",
    "Starfleet Academy San Francisco", "Unseen University Ankh-Morpork", "Miskatonic Valley Junior College",
    "Gotham City Technical Institute", "Springfield Heights Institute of Technology", "Wakanda Vibranium Research Institute",
    "Bikini Bottom Community College", "Xanadu Conservatory of Music", "Shangri-La Institute of Longevity",
    "El Dorado Golden University", "Camelot Round Table College", "Atlantis Polytechnic University",
    "Narnia Lantern Waste Academy", "Rivendell School of Lore", "Zootopia University of Law", "Arrakis Spice Institute",
    "Pandora Na'vi Studies College", "Tatooine Moisture Farming Institute", "Krypton Institute of Science",
    "Asgard Bifrost University", "Mordor Volcanology College", "Oz Emerald City University", "Lilliput Institute of Tiny Things",
    "Brobdingnag College of Giants", "Laputa Flying Island University", "Genovia Royal University",
    "Latveria Institute of Doom", "Sokovia Technical University", "Freedonia State Institute", "Ruritania Royal College",
    "Borduria National University",
]


def rows():
    lines = SRC.read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        d, country, name, others, zh, more = (line.split("\t") + [""] * 6)[:6]
        yield {"domain": d, "country": country, "name": name, "zh": zh}


def words(name):
    return re.findall(r"[A-Za-z]+", name)


def acronym(name):
    ws = [w for w in words(name) if w.lower() not in STOP]
    return "".join(w[0] for w in ws).upper() if len(ws) >= 3 else None


def typo(rng, name):
    chars = list(name)
    positions = [i for i, c in enumerate(chars) if c.isalpha() and i > 0]
    for _ in range(rng.choice([1, 2])):
        i = rng.choice(positions[:-1])
        op = rng.choice(["swap", "drop", "double", "replace"])
        if op == "swap" and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif op == "drop":
            chars[i] = ""
        elif op == "double":
            chars[i] = chars[i] * 2
        else:
            chars[i] = rng.choice("aeiourstln")
    return "".join(chars)


def main():
    rng = random.Random(20241108)
    entries = [e for e in rows() if e["country"] and " " in e["name"] and e["name"].isascii()]
    by_name = {}
    for e in rows():
        by_name.setdefault(e["name"].lower(), []).append(e["domain"])
    acrs = {}
    for e in rows():
        a = acronym(e["name"])
        if a:
            acrs.setdefault(a, set()).add(e["domain"])
    # Names shared by several domains are ambiguous by nature; keep the set unambiguous.
    unique = [e for e in entries if len(by_name[e["name"].lower()]) == 1 and len(words(e["name"])) >= 2]
    rng.shuffle(unique)
    out = []

    def take(kind, make, pool):
        n = 0
        for e in pool:
            if n >= PER_KIND:
                break
            q = make(e)
            if q and q != e["name"]:
                out.append((q, e["domain"], kind))
                n += 1

    take("acronym", lambda e: (a := acronym(e["name"])) and len(acrs[a]) == 1 and len(a) >= 4 and a or None, unique)
    take("abbreviation", lambda e: (lambda s: s if s != e["name"] else None)(
        re.sub("|".join(ABBREV), lambda m: ABBREV[m.group(0).lower()], e["name"], flags=re.I)), unique[200:])
    take("typo", lambda e: typo(rng, e["name"]) if len(e["name"]) > 12 else None, unique[400:])
    take("word_order", lambda e: (lambda ws: " ".join(ws[1:] + ws[:1]) if len(ws) >= 3 else None)(e["name"].split()), unique[600:])
    take("case_punct", lambda e: "  " + re.sub(r"[,.()-]", " ", e["name"]).lower() + " ", unique[800:])
    take("domain", lambda e: rng.choice(["", "www.", "https://www."]) + e["domain"] + rng.choice(["", "/", "/about"]), unique[1000:])
    take("email", lambda e: rng.choice(["info", "admissions", "j.smith", "intl.office"]) + "@" + rng.choice(["", "mail.", "staff."]) + e["domain"], unique[1200:])
    zh = [e for e in rows() if e["zh"] and len(by_name.get(e["name"].lower(), [])) == 1]
    zh_names = {}
    for e in rows():
        if e["zh"]:
            zh_names.setdefault(e["zh"], []).append(e["domain"])
    rng.shuffle(zh)
    take("chinese", lambda e: e["zh"] if len(zh_names[e["zh"]]) == 1 else None, zh)
    out += [(q, "", "none") for q in NONE]
    # The seed partner, written every way the office writes it.
    for q, kind in [("IUKL", "acronym"), ("Infrastructure University", "case_punct"), ("iukl.edu.my", "domain"),
                    ("someone@s.iukl.edu.my", "email"), ("Infrastructure Univ", "abbreviation"), ("Infrastucture University", "typo")]:
        out.append((q, "iukl.edu.my", kind))
    out.sort(key=lambda r: (r[2], r[0]))
    OUT.write_text("query\texpected_domain\tkind\n" + "\n".join("\t".join(r) for r in out) + "\n", encoding="utf-8")
    kinds = {}
    for r in out:
        kinds[r[2]] = kinds.get(r[2], 0) + 1
    print(f"{len(out)} labelled queries -> {OUT}: {kinds}")


if __name__ == "__main__":
    main()
