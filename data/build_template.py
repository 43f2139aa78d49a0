"""Build ``data/template.xlsx``, the empty workbook coordinators fill in.

Run from the repository root::

    .venv/bin/python data/build_template.py

One sheet per kind (labels row from ``maaor/data/columns.csv``, HXL tag row under it,
frozen panes), an "Instructions" sheet (English and French) and a hidden "Lists" sheet
whose columns feed the drop-down lists. The drop-down values are the English labels of
``maaor/data/vocab.csv``, read at build time so the lists live in one place only.
The output is deterministic (same inputs, same bytes).
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
from build_bundled import (  # noqa: E402
    FIXED_TIME,
    ROOT,
    column_specs,
    first_hxl,
    workbook_bytes,
)

VOCAB_CSV = ROOT / "maaor" / "data" / "vocab.csv"
TEMPLATE = ROOT / "data" / "template.xlsx"

# kind -> sheet name, in the order the sheets appear.
SHEETS: dict[str, str] = {
    "workplan": "Work plan",
    "presence": "4W presence",
    "funding": "Funding",
    "indicators": "Indicators",
    "mechanisms": "Coordination mechanisms",
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
# Data rows the drop-downs cover (rows 3 .. LAST_ROW).
LAST_ROW = 2000

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


def add_lists_sheet(wb: Workbook, labels: dict[str, list[str]]) -> dict[str, str]:
    """Add the hidden Lists sheet and return vocabulary name -> absolute range of its values."""
    ws = wb.create_sheet(LISTS_SHEET)
    ranges: dict[str, str] = {}
    for col, vocab in enumerate(LIST_TYPES, start=1):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=vocab).font = Font(bold=True)
        values = labels[vocab]
        for row, value in enumerate(values, start=2):
            ws.cell(row=row, column=col, value=value)
        ranges[vocab] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        ws.column_dimensions[letter].width = max(len(v) for v in [vocab, *values]) + 2
    ws.sheet_state = "hidden"
    return ranges


def add_kind_sheet(wb: Workbook, kind: str, ranges: dict[str, str]) -> None:
    """Add the empty sheet of ``kind``: labels, HXL row, widths, frozen panes, drop-downs."""
    ws = wb.create_sheet(SHEETS[kind])
    specs = column_specs(kind)
    ws.append([s["label"] for s in specs])
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
        ws.column_dimensions[letter].width = 40 if wide else max(14, len(spec["label"]) + 4, len(first_hxl(spec)) + 2)
        if spec["type"] == "date":
            # A column style, not styled cells: empty styled cells would count as rows.
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
        if spec["type"] in LIST_TYPES:
            dv = DataValidation(
                type="list",
                formula1=ranges[spec["type"]],  # OOXML stores the formula without "="
                allow_blank=True,
                showDropDown=False,  # False shows the in-cell arrow (the OOXML flag is inverted)
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle="Value not in the list",
                error="This word is not in the list. French words and usual abbreviations are also "
                      "accepted; maaor will tell you if it does not recognise it.",
                promptTitle=spec["label"],
                prompt="Pick a value from the list.",
                showInputMessage=True,
            )
            dv.add(f"{letter}3:{letter}{LAST_ROW}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A3"


def _column_help(spec: dict[str, str], labels_en: dict[str, list[str]]) -> tuple[str, str]:
    if spec["type"] in LIST_TYPES:
        values = ", ".join(labels_en[spec["type"]])
        return LIST_HELP[0] + values + ".", LIST_HELP[1] + values + "."
    return TYPE_HELP[spec["type"]]


def add_instructions_sheet(wb: Workbook, labels_en: dict[str, list[str]]) -> None:
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
    for kind, sheet in SHEETS.items():
        for spec in column_specs(kind):
            en, fr = _column_help(spec, labels_en)
            required = spec["required"].strip().lower() in ("y", "yes", "true", "1")
            values = [sheet, spec["label"], first_hxl(spec), "Yes / Oui" if required else "No / Non",
                      en, fr, spec["aliases"].replace("|", ", ")]
            for col, value in enumerate(values, start=1):
                ws.cell(row=row, column=col, value=value).alignment = wrap
            row += 1


def build_template() -> Workbook:
    """Return the template workbook (Instructions, one sheet per kind, hidden Lists)."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = "maaor data template"
    wb.properties.creator = "maaor data/build_template.py"
    wb.properties.created = FIXED_TIME
    labels_en = vocab_labels("en")
    ranges = add_lists_sheet(wb, labels_en)
    for kind in SHEETS:
        add_kind_sheet(wb, kind, ranges)
    add_instructions_sheet(wb, labels_en)
    # Lists last; Instructions first; the kind sheets in between.
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    wb.active = 0
    return wb


def template_bytes() -> bytes:
    """Return the .xlsx bytes of the template (identical for identical inputs)."""
    return workbook_bytes(build_template())


def main(path: Path = TEMPLATE) -> None:
    """Write the template workbook to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(template_bytes())
    print(f"{path}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
