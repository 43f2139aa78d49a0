"""Build ``data/template.xlsx`` and ``data/template_fr.xlsx``, the empty workbooks
coordinators fill in (English and French headers and lists).

Run from the repository root::

    .venv/bin/python data/build_template.py

One sheet per kind (labels row from ``maaor/data/columns.csv``, HXL tag row under it,
frozen panes), an "Instructions" sheet (English and French) and a hidden "Lists" sheet
whose columns feed the drop-down lists. The drop-down values are the labels of
``maaor/data/vocab.csv`` in the template's language, the country names (offline UN names)
and the organisations of ``maaor/data/organisations.csv``, read at build time so the lists
live in one place only. Every list warns and lets the value stand (French words,
abbreviations and new organisations are accepted by the dashboard, which says so when it
reads them). Number, percentage, year, coordinate and date columns validate their values
the same way. French headers come from ``maaor/data/columns_fr.csv``. The output is
deterministic (same inputs, same bytes).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # maaor, for country names
from build_bundled import (  # noqa: E402
    FIXED_TIME,
    ROOT,
    column_specs,
    first_hxl,
    workbook_bytes,
)

VOCAB_CSV = ROOT / "maaor" / "data" / "vocab.csv"
ORGANISATIONS_CSV = ROOT / "maaor" / "data" / "organisations.csv"
COUNTRIES_JSON = ROOT / "maaor" / "data" / "countries.json"
COLUMNS_FR_CSV = ROOT / "maaor" / "data" / "columns_fr.csv"
TEMPLATE = ROOT / "data" / "template.xlsx"
TEMPLATES = {"en": TEMPLATE, "fr": ROOT / "data" / "template_fr.xlsx"}

# kind -> sheet name, in the order the sheets appear.
SHEETS: dict[str, str] = {
    "workplan": "Work plan",
    "presence": "4W presence",
    "funding": "Funding",
    "indicators": "Indicators",
    "mechanisms": "Coordination mechanisms",
}
SHEETS_FR: dict[str, str] = {
    "workplan": "Plan de travail",
    "presence": "Présence 4W",
    "funding": "Financement",
    "indicators": "Indicateurs",
    "mechanisms": "Mécanismes de coordination",
}
LISTS_SHEET = "Lists"
INSTRUCTIONS_SHEET = "Instructions"
# Field types of columns.csv that take their values from a vocabulary of vocab.csv.
LIST_TYPES: tuple[str, ...] = (
    "wp_status",
    "presence_status",
    "pillar",
    "org_type",
    "channel",
    "disaggregation",
    "direction",
)
# Field types with a drop-down list that is not a vocabulary: all countries, and the
# organisations of the directory (one organisation per cell only: lists are typed freely).
NAME_LISTS: tuple[str, ...] = ("country", "org")
# Data rows the drop-downs cover (rows 3 .. LAST_ROW).
LAST_ROW = 2000
# Field type -> (validation type, operator, first bound, second bound) for numbers and dates.
# Text such as "USD 40,000" or "31/03/2022" stays accepted: every check only warns.
VALUE_CHECKS: dict[str, tuple[str, str, str, str | None]] = {
    "money": ("decimal", "greaterThanOrEqual", "0", None),
    "count": ("whole", "greaterThanOrEqual", "0", None),
    "number": ("decimal", "between", "-1000000000000", "1000000000000"),
    "percent": ("decimal", "between", "0", "100"),
    "year": ("whole", "between", "1990", "2100"),
    "latitude": ("decimal", "between", "-90", "90"),
    "longitude": ("decimal", "between", "-180", "180"),
    # Excel serial numbers of 1990-01-01 and 2100-12-31.
    "date": ("date", "between", "32874", "73415"),
}
# Words of the checks, per template language: (title, message) of the error, input prompt.
CHECK_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "list": ("Value not in the list",
                 "This value is not in the list. French words and usual abbreviations are also "
                 "accepted; the dashboard will tell you if it does not recognise it."),
        "org": ("Organisation not in the list",
                "This organisation is not in the list. It will be kept as written and the "
                "dashboard will warn, so the coordinator can add it."),
        "number": ("Not a number in range",
                   "Expected a number in range (see the Instructions sheet). The dashboard "
                   "will tell you if it cannot read this value."),
        "date": ("Not a date", "Expected a date, e.g. 31/03/2022 or 2022-03-31. The dashboard "
                 "will tell you if it cannot read this value."),
        "prompt": ("", "Pick a value from the list."),
    },
    "fr": {
        "list": ("Valeur hors de la liste",
                 "Cette valeur n'est pas dans la liste. Les mots anglais et les abréviations "
                 "usuelles sont aussi acceptés ; le tableau de bord signalera ce qu'il ne "
                 "reconnaît pas."),
        "org": ("Organisation hors de la liste",
                "Cette organisation n'est pas dans la liste. Elle sera gardée telle qu'elle est "
                "écrite et le tableau de bord le signalera, pour que le coordinateur l'ajoute."),
        "number": ("Nombre hors des limites",
                   "Un nombre dans les limites est attendu (voir la feuille Instructions). Le "
                   "tableau de bord signalera ce qu'il ne peut pas lire."),
        "date": ("Date attendue", "Une date est attendue, par ex. 31/03/2022 ou 2022-03-31. Le "
                 "tableau de bord signalera ce qu'il ne peut pas lire."),
        "prompt": ("", "Choisir une valeur dans la liste."),
    },
}

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HXL_FILL = PatternFill("solid", fgColor="F2F2F2")

# What to write in a column, by value type: (English, French).
TYPE_HELP: dict[str, tuple[str, str]] = {
    "id": ("Identifier, e.g. 1, 1.3 or 1.3.2. Keep it unique within the sheet.",
           "Identifiant, p. ex. 1, 1.3 ou 1.3.2. Il doit être unique dans la feuille."),
    "text": ("Free text.", "Texte libre."),
    "org": ("One organisation, e.g. UNMAS, The HALO Trust, Humanity & Inclusion. Usual spellings "
            "and acronyms are recognised.",
            "Une organisation, p. ex. UNMAS, The HALO Trust, Humanity & Inclusion. Les graphies "
            "et sigles courants sont reconnus."),
    "orglist": ("One or more organisations separated by ; (semicolon). Add (TBC) after a "
                "tentative lead.",
                "Une ou plusieurs organisations séparées par ; (point-virgule). Ajouter (TBC) "
                "après un chef de file provisoire."),
    "pillarlist": ("Mine action pillars this country is expected to cover, separated by ; "
                   "(e.g. Land release; EORE; Victim assistance; IED threat mitigation). "
                   "Leave blank for the core pillars: land release, EORE and victim "
                   "assistance. Gaps are only flagged for expected pillars.",
                   "Piliers de la lutte antimines que ce pays doit couvrir, séparés par ; "
                   "(p. ex. Remise à disposition des terres; EREE; Assistance aux victimes). "
                   "Laisser vide pour les piliers de base : remise à disposition des terres, "
                   "EREE et assistance aux victimes. Seuls les piliers attendus sont signalés "
                   "comme lacunes."),
    "person": ("Name of one person (shown only to signed-in coordinators).",
               "Nom d'une personne (visible seulement des coordinateurs connectés)."),
    "personlist": ("Names of people separated by ; (shown only to signed-in coordinators).",
                   "Noms de personnes séparés par ; (visibles seulement des coordinateurs connectés)."),
    "money": ("Amount in US dollars: a number (40000) or text such as USD 40,000 or "
              "40 000 $. Leave blank when unknown (blank is not zero).",
              "Montant en dollars US : un nombre (40000) ou un texte comme USD 40,000 ou "
              "40 000 $. Laisser vide si inconnu (vide n'est pas zéro)."),
    "currency": ("Currency of the amounts of the row when not US dollars: a three-letter "
                 "code such as EUR, CHF, GBP, NOK. The dashboard converts them to US dollars "
                 "at the annual average rate of the row's year. Blank means US dollars.",
                 "Devise des montants de la ligne s'ils ne sont pas en dollars US : un code à "
                 "trois lettres comme EUR, CHF, GBP, NOK. Le tableau de bord les convertit en "
                 "dollars US au taux moyen annuel de l'année de la ligne. Vide : dollars US."),
    "percent": ("Percentage from 0 to 100: 45 or 45%.", "Pourcentage de 0 à 100 : 45 ou 45 %."),
    "date": ("A date: an Excel date, or text as 2022-03-31 or 31/03/2022 (day first).",
             "Une date : date Excel, ou texte comme 2022-03-31 ou 31/03/2022 (jour en premier)."),
    "year": ("Year with four digits, e.g. 2022.", "Année à quatre chiffres, p. ex. 2022."),
    "count": ("Whole number of people (no decimals).", "Nombre entier de personnes (sans décimales)."),
    "number": ("A number.", "Un nombre."),
    "country": ("Country name or ISO3 code, e.g. Iraq or IRQ.",
                "Nom du pays ou code ISO3, p. ex. Irak ou IRQ."),
    "latitude": ("Latitude in decimal degrees (-90 to 90), e.g. 36.2.",
                 "Latitude en degrés décimaux (-90 à 90), p. ex. 36.2."),
    "longitude": ("Longitude in decimal degrees (-180 to 180), e.g. 42.5.",
                  "Longitude en degrés décimaux (-180 à 180), p. ex. 42.5."),
    "bool": ("Yes or No.", "Oui ou Non."),
}
LIST_HELP = ("Pick from the drop-down list (English or French words are both accepted): ",
             "Choisir dans la liste (les mots anglais ou français sont acceptés) : ")

GENERAL_EN = [
    "How to fill in this workbook",
    "One sheet per kind of data. Fill in the sheets you need; delete or leave empty the others.",
    "Row 1 holds the column names and row 2 the HXL hashtags. Keep row 2 as it is: it lets other "
    "humanitarian tools read the file. Write data from row 3.",
    "Do not merge cells, do not add totals or blank rows inside the table, one row per record.",
    "Dates: Excel dates, or text as 2022-03-31 or 31/03/2022 (day first).",
    "Money: US dollars, as a number (40000) or text such as USD 40,000; blank means unknown.",
    "Percentages: a number from 0 to 100, with or without %.",
    "Several organisations or people in one cell: separate them with ; (semicolon).",
    "Drop-down lists show the English words; the French words and usual abbreviations are accepted too.",
    "Names of people and contact details are shown only to signed-in coordinators.",
]
GENERAL_FR = [
    "Comment remplir ce classeur",
    "Une feuille par type de données. Remplir les feuilles utiles ; supprimer les autres ou les laisser vides.",
    "La ligne 1 contient les noms de colonnes et la ligne 2 les hashtags HXL. Garder la ligne 2 telle quelle : "
    "elle permet à d'autres outils humanitaires de lire le fichier. Saisir les données à partir de la ligne 3.",
    "Ne pas fusionner de cellules, ne pas ajouter de totaux ni de lignes vides dans le tableau ; une ligne par "
    "enregistrement.",
    "Dates : dates Excel, ou texte comme 2022-03-31 ou 31/03/2022 (jour en premier).",
    "Montants : dollars US, en nombre (40000) ou en texte comme USD 40,000 ; vide signifie inconnu.",
    "Pourcentages : un nombre de 0 à 100, avec ou sans %.",
    "Plusieurs organisations ou personnes dans une cellule : les séparer par ; (point-virgule).",
    "Les listes déroulantes montrent les mots anglais ; les mots français et les abréviations usuelles sont "
    "aussi acceptés.",
    "Les noms de personnes et leurs coordonnées ne sont visibles que des coordinateurs connectés.",
]


def vocab_labels(lang: str = "en") -> dict[str, list[str]]:
    """Return vocabulary name -> labels in ``lang``, in the order of ``vocab.csv``."""
    out: dict[str, list[str]] = {}
    with VOCAB_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["vocab"], []).append(row[lang])
    return out


def country_names(lang: str = "en") -> list[str]:
    """Return the names of every country the dashboard reads, in ``lang``, sorted."""
    import json

    from maaor.i18n import country_name

    codes = json.loads(COUNTRIES_JSON.read_text(encoding="utf-8"))["iso3"]
    names = {country_name(code, lang) for code in codes}
    return sorted((n for n in names if n), key=_sort_key)


def organisation_names() -> list[str]:
    """Return the names of the organisations of the directory, sorted."""
    with ORGANISATIONS_CSV.open(encoding="utf-8", newline="") as fh:
        return sorted({row["name"] for row in csv.DictReader(fh) if row["name"].strip()},
                      key=_sort_key)


def _sort_key(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def french_labels() -> dict[tuple[str, str], str]:
    """Return (kind, field) -> French header, from ``columns_fr.csv``."""
    with COLUMNS_FR_CSV.open(encoding="utf-8", newline="") as fh:
        return {(row["kind"], row["field"]): row["label"] for row in csv.DictReader(fh)}


def add_lists_sheet(wb: Workbook, labels: dict[str, list[str]]) -> dict[str, str]:
    """Add the hidden Lists sheet and return list name -> absolute range of its values."""
    ws = wb.create_sheet(LISTS_SHEET)
    ranges: dict[str, str] = {}
    for col, vocab in enumerate((*LIST_TYPES, *NAME_LISTS), start=1):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=vocab).font = Font(bold=True)
        values = labels[vocab]
        for row, value in enumerate(values, start=2):
            ws.cell(row=row, column=col, value=value)
        ranges[vocab] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        ws.column_dimensions[letter].width = max(len(v) for v in [vocab, *values]) + 2
    ws.sheet_state = "hidden"
    return ranges


def _check(kind: str, text: dict[str, tuple[str, str]], title: str, **options) -> DataValidation:
    """A validation that warns (the value may stay): Excel's "warning" error style."""
    error_title, error = text[kind]
    return DataValidation(allow_blank=True, showErrorMessage=True, errorStyle="warning",
                          errorTitle=error_title, error=error, promptTitle=title[:32],
                          **options)


def _header(spec: dict[str, str], lang: str) -> str:
    if lang == "fr":
        return french_labels()[(spec["kind"], spec["field"])]
    return spec["label"]


def add_kind_sheet(wb: Workbook, kind: str, ranges: dict[str, str], lang: str = "en") -> None:
    """Add the empty sheet of ``kind``: headers in ``lang``, HXL row, widths, frozen panes,
    drop-downs and value checks."""
    ws = wb.create_sheet((SHEETS_FR if lang == "fr" else SHEETS)[kind])
    specs = column_specs(kind)
    text = CHECK_TEXT[lang]
    ws.append([_header(s, lang) for s in specs])
    ws.append([first_hxl(s) for s in specs])
    for idx, spec in enumerate(specs, start=1):
        letter = get_column_letter(idx)
        head = ws.cell(row=1, column=idx)
        head.font = Font(bold=True)
        head.fill = HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="top")
        tag = ws.cell(row=2, column=idx)
        tag.font = Font(italic=True, color="595959")
        tag.fill = HXL_FILL
        wide = spec["type"] in ("text", "orglist", "personlist") and spec["field"] not in ("budget_group",)
        ws.column_dimensions[letter].width = 40 if wide else max(14, len(_header(spec, lang)) + 4, len(first_hxl(spec)) + 2)
        if spec["type"] == "date":
            # A column style, not styled cells: empty styled cells would count as rows.
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
        title = _header(spec, lang)
        if spec["type"] in LIST_TYPES or spec["type"] in NAME_LISTS:
            dv = _check(
                "org" if spec["type"] == "org" else "list", text, title,
                type="list",
                formula1=ranges[spec["type"]],  # OOXML stores the formula without "="
                showDropDown=False,  # False shows the in-cell arrow (the OOXML flag is inverted)
                prompt=text["prompt"][1],
                showInputMessage=True,
            )
        elif spec["type"] in VALUE_CHECKS:
            kind_of, operator, low, high = VALUE_CHECKS[spec["type"]]
            dv = _check("date" if kind_of == "date" else "number", text, title,
                        type=kind_of, operator=operator, formula1=low, formula2=high)
        else:
            continue
        dv.add(f"{letter}3:{letter}{LAST_ROW}")
        ws.add_data_validation(dv)
    ws.freeze_panes = "A3"


def _column_help(spec: dict[str, str], labels_en: dict[str, list[str]]) -> tuple[str, str]:
    if spec["type"] in LIST_TYPES:
        values = ", ".join(labels_en[spec["type"]])
        values_fr = ", ".join(vocab_labels("fr")[spec["type"]])
        return LIST_HELP[0] + values + ".", LIST_HELP[1] + values_fr + "."
    return TYPE_HELP[spec["type"]]


def add_instructions_sheet(wb: Workbook, labels_en: dict[str, list[str]], lang: str = "en") -> None:
    """Add the Instructions sheet: general rules in English and French, then one row per column."""
    ws = wb.create_sheet(INSTRUCTIONS_SHEET, 0)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 26
    ws.column_dimensions["C"].width = 28
    ws.column_dimensions["D"].width = 10
    ws.column_dimensions["E"].width = 70
    ws.column_dimensions["F"].width = 70
    ws.column_dimensions["G"].width = 50
    wrap = Alignment(wrap_text=True, vertical="top")
    row = 1
    for lines in (GENERAL_EN, GENERAL_FR):
        ws.cell(row=row, column=1, value=lines[0]).font = Font(bold=True, size=13)
        row += 1
        for line in lines[1:]:
            ws.cell(row=row, column=1, value="• " + line)
            row += 1
        row += 1
    heading = ["Sheet / Feuille", "Column / Colonne", "HXL hashtag", "Required / Obligatoire",
               "What to write", "Que saisir", "Other accepted column names / Autres noms acceptés"]
    for col, text in enumerate(heading, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = wrap
    row += 1
    for kind, sheet in (SHEETS_FR if lang == "fr" else SHEETS).items():
        for spec in column_specs(kind):
            en, fr = _column_help(spec, labels_en)
            required = spec["required"].strip().lower() in ("y", "yes", "true", "1")
            values = [sheet, _header(spec, lang), first_hxl(spec), "Yes / Oui" if required else "No / Non",
                      en, fr, spec["aliases"].replace("|", ", ")]
            for col, value in enumerate(values, start=1):
                ws.cell(row=row, column=col, value=value).alignment = wrap
            row += 1


def build_template(lang: str = "en") -> Workbook:
    """Return the template workbook in ``lang`` (Instructions, one sheet per kind, hidden
    Lists)."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = "maaor data template"
    wb.properties.creator = "maaor data/build_template.py"
    wb.properties.created = FIXED_TIME
    labels_en = vocab_labels("en")
    lists = {**vocab_labels(lang), "country": country_names(lang), "org": organisation_names()}
    ranges = add_lists_sheet(wb, lists)
    for kind in SHEETS:
        add_kind_sheet(wb, kind, ranges, lang)
    add_instructions_sheet(wb, labels_en, lang)
    # Lists last; Instructions first; the kind sheets in between.
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    wb.active = 0
    return wb


def template_bytes(lang: str = "en") -> bytes:
    """Return the .xlsx bytes of the template in ``lang`` (identical for identical inputs)."""
    return workbook_bytes(build_template(lang))


def main() -> None:
    """Write the English and French template workbooks."""
    for lang, path in TEMPLATES.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(template_bytes(lang))
        print(f"{path}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
