"""PDF benchmark: each PDF kind, Typst templates (webapp/core/pdf.py) against the matplotlib drawing they replaced.

    .venv/bin/python bench/bench_pdf.py [--repeat 20] [--base 252a746]

In-process, no app or database. The old matplotlib modules are read from git at --base (the last
commit before the Typst templates) and run side by side with the new ones on the same content: the
A4 summary (the new one with the spider chart's SVG as cached in the database, and with drawing it),
a short and a 12-page "Mijn gegevens" document, and the blank paper questionnaires (new only).
Prints the median time per PDF, the ratio new/old, the PDF's size, and the resident and private memory
the first Typst PDF costs (the compiled extension and its fonts, loaded on first use).

Exit status: 0, or 2 when the old code could not be read from git.
"""

import argparse
import statistics
import subprocess
import sys
import time
import types

import _path  # noqa: F401 - puts the project on sys.path

from bench.harness import ROOT, machine_info


def memory_mb() -> tuple[float, float]:
    """(resident, private) memory of this process: the private part is what each worker pays on its own."""
    fields = {}
    with open("/proc/self/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if parts[0] in ("Rss:", "Private_Dirty:", "Private_Clean:"):
                fields[parts[0]] = int(parts[1]) / 1024
    return fields["Rss:"], fields["Private_Dirty:"] + fields["Private_Clean:"]


def old_module(base: str, path: str, name: str) -> types.ModuleType:
    source = subprocess.run(["git", "show", f"{base}:{path}"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, f"{base}:{path}", "exec"), module.__dict__)  # noqa: S102 - our own code from git
    return module


def median_ms(make, repeat: int) -> tuple[float, int]:
    body = make()  # warm: fonts and caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        make()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(body)


PILLARS = ["Lichaamsfuncties", "Mentaal welbevinden", "Zingeving", "Kwaliteit van leven", "Meedoen",
           "Dagelijks functioneren"]
SHORT = ["Lichaam", "Gevoel", "Zin in het leven", "Hoe gaat het met u", "Meedoen", "Dagelijks leven"]
SCORES, BEFORE = [7.0, 6.5, 5.0, 4.5, 8.0, 3.0], [5.0, 5.5, 5.0, 6.0, 4.0, 4.0]
ROWS = [(name, f"{now:.1f} (eerder {then:.1f})".replace(".", ",")) for name, now, then in zip(PILLARS, SCORES, BEFORE,
                                                                                             strict=True)]
SECTIONS = [("Wat is voor u belangrijk?", "Mijn kleinkinderen zien en samen koken."), ("Hier wilt u aan werken",
            "Meedoen"), ("Uw kleine stap", "Naar de eettafel op woensdag"), ("Wie of wat kan helpen", "Buurvrouw Els")]
SIDE = [("Volgende check-in", "5 januari 2027"), ("Wat u gaat proberen", "Wandelgroep De Stappers\nWanneer: Elke "
        "dinsdag om 10.00 uur\nWaar: Parklaan 12, Rotterdam\nBellen: 010 222 33 44"),
        ("Uw coach", "Marieke Jansen, Welzijn Zuid, 010 123 45 67")]
FOOTER = "Veerkracht is geïnspireerd op de zes dimensies van Positieve Gezondheid (Huber)."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--base", default="252a746")
    args = parser.parse_args()
    print("\n".join(machine_info()))
    import matplotlib  # noqa: F401 - loaded at worker start in production too

    before = memory_mb()
    from webapp.core import pdf
    from webapp.core.charts import spider_svg
    from webapp.results.summary_pdf import Summary, summary_pdf
    from webapp.rights import document_pdf as new_doc

    def chart() -> str:
        return spider_svg(SHORT, SCORES, BEFORE, "Deze check-in: 3 dec 2026", "Eerder: 1 sep 2026").decode()

    svg = chart()

    def new_summary(svg_text=None):
        return summary_pdf(Summary("Hoe gaat het met u?", "mevr. T. Bakker · Check-in van 3 december 2026",
                                   svg_text or chart(), "Spinnenweb", "Uw cijfers (0 tot en met 10)",
                                   ("Onderdeel", "Cijfer"), ROWS, SECTIONS, SIDE, FOOTER))

    new_summary(svg)
    after = memory_mb()
    typst_rss, typst_private = after[0] - before[0], after[1] - before[1]
    try:
        old_summary_mod = old_module(args.base, "webapp/results/summary_pdf.py", "old_summary_pdf")
        old_doc = old_module(args.base, "webapp/rights/document_pdf.py", "old_document_pdf")
    except subprocess.CalledProcessError as error:
        print(f"could not read the old code at {args.base}: {error.stderr.strip()}")
        return 2

    def old_summary():
        return old_summary_mod.summary_pdf(old_summary_mod.Summary(
            "Hoe gaat het met u?", "mevr. T. Bakker · Check-in van 3 december 2026", PILLARS, SCORES, BEFORE,
            "Nu", "Vorige keer", "Uw cijfers (0 tot en met 10)", ROWS, SECTIONS, SIDE, FOOTER))

    def document(module, checkins: int):
        blocks = []
        for c in range(1, checkins + 1):
            rows = [(f"Vraag {q} van check-in {c}: hoe gaat het met u?", f"Antwoord {c}.{q}") for q in range(1, 21)]
            blocks += [module.Subheading(f"Check-in {c}"), module.Rows(rows)]
        return module.Document("Mijn gegevens", "Alles wat Veerkracht over u bewaart",
                               [module.Section("Check-ins", blocks)], footer="Veerkracht · Mijn gegevens")

    cases = [
        ("summary (cached chart)", lambda: new_summary(svg), old_summary),
        ("summary (chart drawn)", new_summary, old_summary),
        ("document, 1 check-in", lambda: new_doc.document_pdf(document(new_doc, 1)),
         lambda: old_doc.document_pdf(document(old_doc, 1))),
        ("document, 12 check-ins", lambda: new_doc.document_pdf(document(new_doc, 12)),
         lambda: old_doc.document_pdf(document(old_doc, 12))),
    ]
    print(f"\nfirst Typst PDF: +{typst_rss:.0f} MB resident, of it +{typst_private:.0f} MB private (the rest is the "
          "extension's file pages, shared by all workers)")
    print(f"{'PDF':<26}{'new ms':>9}{'old ms':>9}{'new/old':>9}{'new KB':>9}{'old KB':>9}")
    for name, new, old in cases:
        new_ms, new_size = median_ms(new, args.repeat)
        old_ms, old_size = median_ms(old, max(3, args.repeat // 4))
        print(f"{name:<26}{new_ms:9.1f}{old_ms:9.1f}{new_ms / old_ms:9.2f}{new_size / 1024:9.1f}{old_size / 1024:9.1f}")
    from webapp import create_app
    from webapp.core.definitions import current_questionnaire
    from webapp.paper_form.service import blank_form_data

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for form in ("kort", "eenvoudig"):
        with app.test_request_context():
            data = blank_form_data(current_questionnaire(), form, "nl")
        ms, size = median_ms(lambda data=data: pdf.render("questionnaire", data), args.repeat)
        print(f"{'paper form, ' + form:<26}{ms:9.1f}{'–':>9}{'–':>9}{size / 1024:9.1f}{'–':>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
