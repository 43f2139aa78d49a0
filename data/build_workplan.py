"""Build the bundled MA AoR work plan 2018-2019 in the tidy template layout.

Run from the repository root::

    .venv/bin/python data/build_workplan.py

Writes two workbooks:

* ``data/workplan_2018_2019.xlsx`` - the seed work plan transcribed faithfully, one row
  per activity: objectives, outputs, activities, leads, partners, focal points and
  budgets exactly as the coordinator wrote them (organisations under their canonical
  names of ``maaor/data/organisations.csv``; bracketed remarks of the "Lead and Partners"
  cell and partners marked "(TBC)" in Comment). The seed reports no status, progress,
  dates or funding, so those columns are empty.
* ``data/illustrative/workplan_2018_2019_progress.xlsx`` - the same rows plus
  ILLUSTRATIVE status, progress, start, due, last update, funded USD and comments
  (deterministic: fixed random seed), with an "About" sheet saying so.

Layout: row 1 holds the labels of ``maaor/data/columns.csv`` (kind workplan), row 2 the
first HXL tag of each field, data from row 3. The output is deterministic (fixed
timestamps), so rebuilding gives identical bytes.

The transcription below is written per activity, independently of the narrative
fixture ``tests/fixtures/build_legacy_workplan.py``; ``tests/test_workplan_layouts.py``
checks that both give the same normalised work plan.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parent.parent
COLUMNS_CSV = ROOT / "maaor" / "data" / "columns.csv"
FAITHFUL = ROOT / "data" / "workplan_2018_2019.xlsx"
ILLUSTRATIVE = ROOT / "data" / "illustrative" / "workplan_2018_2019_progress.xlsx"

FIXED_TIME = dt.datetime(2019, 10, 1, 0, 0, 0)
SEED = 20182019
# The date the illustrative progress is "as of".
AS_OF = dt.date(2019, 9, 30)
PLAN_START = dt.date(2018, 1, 1)

# ---------------------------------------------------------------------------------------
# Faithful transcription of the seed (MA AoR work plan 2018-2019, as of February 2018)
# ---------------------------------------------------------------------------------------

OBJECTIVES: dict[str, tuple[str, str]] = {
    "1": (
        "Coordinated Field Support",
        "The MA AoR provides a forum where humanitarian mine action actors can coordinate "
        "their activities at the global level to increase the coherence, reach and "
        "effectiveness of the sector's response in support of field operations and in "
        "partnership with other humanitarian actors, in particular the Inter-Agency Standing "
        "Committee, the Inter-Agency Coordination Group on Mine Action, the Global Protection "
        "Cluster and the Child Protection Area of Responsibility.",
    ),
    "2": (
        "Advocacy",
        "The MA AoR advocates with key stakeholders (donors, Member States, OCHA and clusters) "
        "to integrate mine action in humanitarian planning and financing. It also looks at "
        "opportunities to do joint advocacy and communications concerning issues of common "
        "concern. In 2018, the group will focus its advocacy on 1) integration of victim "
        "assistance in broader humanitarian action, and 2) Accident prevention through Mine "
        "Risk Education and Clearance prioritised based on humanitarian requirements (e.g. "
        "resettlement, food distribution).",
    ),
    "3": (
        "Policy",
        "The MA AoR provides coordinated inputs on mine action for policies, guidance, "
        "strategic documents, and trainings organised by the Global Protection Cluster or "
        "other parts of the humanitarian system.",
    ),
    "4": (
        "Information Management",
        "Promote and enable sharing of data on mine action, including victim assistance, and "
        "other protection issues with GPC partners to improve analysis and protection "
        "strategies. In addition, develop systems to share information between MA AoR members.",
    ),
}

OUTPUTS: dict[str, str] = {
    "1.1": "Increase partnerships between the Mine Action AoR and other humanitarian networks",
    "1.2": "MA field coordinators and members of MA AoR receive an up-to-date induction "
    "package/brief",
    "1.3": "Mine Action is an active part of GPC Help Desk and responds to queries from field "
    "Protection Clusters and MA Coordinators accurately and in a timely manner.",
    "1.4": "Humanitarian mine action rapid response available when needed by the GPC",
    "1.5": "Global Protection Cluster and its AoRs when relevant contributes to mine action and "
    "vice versa",
    "1.6": "Mine Action and Child Protection coordinators receive a set of good practices in "
    "shared approaches and cooperation on overlapping areas such as victim assistance and mine "
    "risk education. GPC and donors learn about this shared approach at the protection "
    "conference.",
    "2.1": "Funding is available for critical activities of the Global MA AOR.",
    "2.2": "Humanitarian pooled fund managers are ready to fund life-saving mine action "
    "assistance in particular for first aid to mine/ERW casualties.",
    "2.3": "Mine Action included in key humanitarian planning guidance. In particular, IASC "
    "members are aware of the Victim Assistance obligations and of what they can do in their "
    "programmes to ensure survivor and indirect victims are reached.",
    "2.4": "Engagement plan to integrate mine action in cluster activities deemed critical to "
    "the MA AoR.",
    "2.5": "Improved awareness of mine action issues in neglected emergencies.",
    "2.6": "Increased global awareness of the protection risks related to explosive debris of "
    "war in target audiences.",
    "2.7": "AoR members are aware of upcoming discussions among Member States and consider "
    "joined-up statements and events.",
    "3.1": "Increased awareness among Mine Action operators of best practices in victim "
    "assistance.",
    "3.2": "Victim assistance is included in the IASC guidelines and the mine action sector has "
    "a tool to advocate with clusters on their behalf.",
    "3.3": "Training on Mine Action and Mine Action coordination & integration delivered for "
    "mine action field coordinators",
    "4.1": "The MA AOR members are informed of the group's membership, priorities and working "
    "methods.",
    "4.2": "Protection information management standards and GPC toolkit reflect the mine action "
    "perspectives.",
    "4.3": "Improved information management, programmatic and operational planning for "
    "humanitarian mine action.",
    "4.4": "Material related to mine action on the GPC website is up-to-date and understandable "
    "by aid workers who are not mine action experts",
    "4.5": "Place to share best practices and lessons learnt and to ask questions",
    "4.6": "Adequate representation of the mine action sector in the global humanitarian data "
    "systems.",
    "4.7": "Progress against the work plan is measured allowing corrective planning.",
    "4.8": "Monthly calls held and attended by at least 6 partners",
}

# Shared "Lead and Partners" cells of the seed, as (leads, partners, focal points, comment).
_L_13 = (
    "MA AoR Coordinator",
    "GICHD; GMAP; UNMAS; UNICEF; MAG; Humanity & Inclusion",
    "Olivier Cottray; Dominic Wolsey; Sarah Marshall; Hugues Laurenge; Chris Loughran; "
    "Elke Hottentot",
    None,
)
_L_14 = (
    "UNMAS",
    "NPA; MAG; Humanity & Inclusion; GICHD",
    None,
    "GICHD (support 1.4.2. with an Information Management expertise gap analysis)",
)
_L_21 = (
    "MA AoR Coordinator",
    "GPC; NGO representative; CP AoR Coordinator",
    None,
    "CP Coordinator (for joint activities related to children)",
)
_L_32 = (
    "Humanity & Inclusion",
    "UNMAS; UNICEF; International Disability Alliance; OCHA; GMAP",
    None,
    "UNICEF (co-chair of IASC TT on inclusion of persons with disability in humanitarian "
    "action); International Disability Alliance (TBC)",
)

# One entry per activity: (activity ID, activity, (leads, partners, focal points, comment),
# budget USD, budget note).
ACTIVITIES: list[tuple[str, str, tuple, float | None, str | None]] = [
    (
        "1.1.1",
        "Leverage participation in key OCHA or IASC events related to coordination and "
        "partnerships (e.g. the Humanitarian Networks and Partnerships Week in February 2018.)",
        (
            "MA AoR Coordinator",
            "UNMAS; NPA; Hand in Hand for Syria",
            "Christelle Loupforest; Sarah Marshall; Rasmus Sandvoll Weschke",
            None,
        ),
        None,
        None,
    ),
    (
        "1.2.1",
        "Compile and package essential resources for MA Coordinators and MA coordination "
        "mechanisms in the field.",
        ("MA AoR Coordinator", None, None, None),
        None,
        None,
    ),
    ("1.3.1", "Update Terms of Reference for Help Desk function", _L_13, None, None),
    (
        "1.3.2",
        "Map expertise within the MA AOR and identify focal points for areas of technical "
        "expertise.",
        _L_13,
        None,
        None,
    ),
    (
        "1.3.3",
        "Disseminate information to field MA AOR and the GPC on Help Desk services.",
        _L_13,
        None,
        None,
    ),
    (
        "1.4.1",
        "Map the standby capacity on humanitarian mine action available in the MA AoR.",
        _L_14,
        None,
        None,
    ),
    (
        "1.4.2",
        "Identify gaps in technical expertise and develop strategy to meet them (e.g. IASC RG "
        "on psychosocial support).",
        _L_14,
        None,
        None,
    ),
    (
        "1.4.3",
        "Develop procedures to activate standby capacity in new or deteriorating emergencies.",
        _L_14,
        None,
        None,
    ),
    (
        "1.5.1",
        "Participate in GPC activities (monthly AOR meetings, GPC retreats, evaluation "
        "follow-up, mainstreaming protection) and support two-way communication between the "
        "GPC and the MA AoR members.",
        ("MA AoR Coordinator", None, None, None),
        None,
        "Travel budget to participate in protection conference in Bangkok",
    ),
    (
        "1.6.1",
        "Document the state of coordination between the MA AoR and the Child Protection AoR at "
        "the field level. Research innovative approaches to reduce casualties among children. "
        "Disseminate existing policies on child-focused victim assistance to members of both "
        "AORs. Organise event at the protection conference on good practices in mine risk "
        "education and child-focused victim assistance.",
        (
            "UNICEF; UNMAS",
            "MA AoR Coordinator; CP AoR Coordinator; Field AoR Coordinators; MAG; NPA; "
            "Hand in Hand for Syria; Humanity & Inclusion",
            "Michael Copland; Claire Hanley",
            None,
        ),
        40_000,
        None,
    ),
    (
        "2.1.1",
        "Together with the GPC, reach out to donors to secure funding for the implementation "
        "of the global MA AoR work plan and highlight importance of mine action in HRPs.",
        _L_21,
        None,
        None,
    ),
    (
        "2.1.2",
        "Participate actively in the GPC Task Team on Donor Dialogue.",
        _L_21,
        None,
        None,
    ),
    (
        "2.2.1",
        "If it does not exist, develop a standard proposal to access humanitarian pooled funds "
        "for life-saving activities, in particular but not limited to activities carried out as "
        "Provider of Last Resort either directly (e.g. victim assistance First Aid including "
        "First Aid volunteer training) or indirectly (e.g. clearing a road to deliver "
        "life-saving food assistance).",
        (
            "MA AoR Coordinator",
            "UNMAS; OCHA; Humanity & Inclusion; UNICEF; Health Cluster",
            None,
            "Health Cluster (TBC)",
        ),
        None,
        None,
    ),
    (
        "2.3.1",
        "Review relevant guidance to assess if MA is adequately integrated in different stages "
        "of humanitarian action in particular as part of IASC and other agencies operational "
        "planning as well as early warning, preparedness & needs assessment. If gaps are "
        "identified, reach out to relevant IASC bodies and agencies to address them.",
        ("MA AoR Coordinator", "Field AoR Coordinators", None, None),
        None,
        None,
    ),
    (
        "2.3.2",
        "Ask the ERC to brief the IASC Principals on victim assistance obligations and "
        "resources available to support them in their efforts to reduce the mortality rate "
        "through an increased emergency medical response, ongoing medical care, psycho social "
        "support, rehabilitation, and to ensure their actions are inclusive of persons that "
        "are disabled or otherwise vulnerable.",
        ("UNMAS; UNDP", "Humanity & Inclusion", None, None),
        None,
        None,
    ),
    (
        "2.4.1",
        "Prepare a sectoral mapping that shows how mine action intersects with various "
        "clusters: Logistics, Food Security, WASH, Shelter, Health, Education, Camp "
        "Coordination and Early Recovery. Share and promote linkages with the various clusters.",
        (
            "MA AoR Coordinator",
            "NPA; MAG; WFP; GICHD; Early Recovery; UNDP",
            "Siv Mjaaland",
            "GICHD (role and potential of IM and information sharing across sectors)",
        ),
        None,
        None,
    ),
    (
        "2.5.1",
        "Support field level advocacy for specific contexts through global calls (e.g. "
        "Nigeria, Yemen, Myanmar, Ukraine).",
        ("UNMAS", "UNICEF; UNDP; ICBL; NPA; MAG; GICHD", None, None),
        None,
        None,
    ),
    (
        "2.6.1",
        "Share information and resources for communications strategy in areas of common "
        "interest and identify opportunities to partner up on communications campaign and "
        "events with other networks.",
        ("GICHD", "UNMAS; MAG; NPA", None, None),
        20_000,
        None,
    ),
    (
        "2.7.1",
        "Inform and update the MA AoR and individual AoR members on upcoming mine "
        "action-related treaty processes and activities : Antipersonnel Mine Ban Convention, "
        "Convention on Cluster Munitions, Amended Protocol II and Protocol V to the Convention "
        "on Certain Conventional Weapons and the Convention on the Rights of Persons with "
        "Disabilities",
        ("ISU", "UNMAS; ICBL; NGOs; Academia; UNDP", None, None),
        None,
        None,
    ),
    (
        "3.1.1",
        "Convene event to present the guidelines on gender and diversity responsive victim "
        "assistance and discuss a plan to disseminate them.",
        ("MA AoR Coordinator", "GMAP; UNDP", None, None),
        None,
        None,
    ),
    (
        "3.2.1",
        "Contribute to the IASC guidelines on inclusion of persons with disability in "
        "humanitarian action and include section on victim assistance to mine survivors and "
        "indirect victims.",
        _L_32,
        None,
        None,
    ),
    (
        "3.2.2",
        "Convey to the ‘Washington Group on Disability Statistics’ the need to introduce a "
        "question on explosive device in their questionnaire to give visibility to mine "
        "survivors and to make the case for victim assistance.",
        _L_32,
        None,
        None,
    ),
    (
        "3.3.1",
        "Map training needs. Design and deliver training based on mapping results and "
        "requests. Deliver training at MA AoR retreat (in margins of protection conference) or "
        "in other forums (e.g. integrated Mine Action Training in Spietz).",
        ("UNICEF; MA AoR Coordinator", "UNMAS; UNDP; GICHD; GPC", None, "GICHD (IM training)"),
        None,
        None,
    ),
    (
        "4.1.1",
        "Produce and maintain a set of documents for the global MA AoR: list of field MA "
        "coordination mechanisms, list of members of the global MA AoR, ToRs, work plan, map "
        "of MA actors presence in emergencies (4W).",
        ("MA AoR Coordinator", "Support staff (HAO or IMO)", None, None),
        100_000,
        None,
    ),
    (
        "4.2.1",
        "Participate in the GPC Task Team on Information-Management.",
        ("GICHD", None, None, None),
        None,
        None,
    ),
    (
        "4.3.1",
        "Information management tools and guidance developed and disseminated.",
        ("GICHD", "OCHA", None, None),
        None,
        None,
    ),
    (
        "4.3.2",
        "Direct technical support provided as requested from the field",
        ("GICHD", "UNMAS", None, None),
        None,
        None,
    ),
    (
        "4.3.3",
        "Discuss the possibility of collecting age and sex-disaggregated data systematically in "
        "consultation with Washington Group.",
        (
            "OCHA",
            "UNICEF; UNMAS; GICHD; Humanity & Inclusion",
            None,
            "OCHA (Center for Humanitarian Data)",
        ),
        None,
        None,
    ),
    (
        "4.3.4",
        "Provide guidance to Humanitarian Coordinators through OCHA (e.g. through the HC "
        "Handbook) asking them to share timely information on humanitarian priorities with "
        "mine action organizations to help them to prioritise their planning.",
        ("UNMAS", "OCHA; GICHD", None, None),
        None,
        None,
    ),
    (
        "4.4.1",
        "Review and update the material related to MA available on the GPC website.",
        ("MA AoR Coordinator", None, None, None),
        None,
        None,
    ),
    (
        "4.5.1",
        "Establish a Mine Action Community of Practice either within the GPC or through other "
        "web platform",
        ("GPC", "MA AoR Coordinator", None, None),
        None,
        None,
    ),
    (
        "4.6.1",
        "Explore options to connect humanitarian information systems and mine action "
        "information systems: FTS and mine action portfolio, mid-year reviews and M&E, IMSMA "
        "CORE and MIRA (Multi-Sector Initial Rapid Assessment Guidance), PRISMA as "
        "prioritizing tool",
        ("OCHA", "UNMAS; GICHD; WFP", None, None),
        None,
        None,
    ),
    (
        "4.7.1",
        "Explore how UN M&E established by the IACG-MA could be leveraged to measure progress "
        "against some of the work plan objectives of the MA AoR.",
        ("MA AoR Coordinator", "UNMAS", None, None),
        None,
        None,
    ),
    (
        "4.8.1",
        "Convene monthly MA AoR meetings/calls alternating meetings with and without field "
        "coordinators.",
        ("MA AoR Coordinator", None, None, None),
        None,
        None,
    ),
]


def faithful_rows() -> list[dict]:
    """One dict per activity (field -> value) of the seed work plan."""
    rows = []
    for activity_id, activity, (leads, partners, focal, comment), budget, note in ACTIVITIES:
        output_id = activity_id.rsplit(".", 1)[0]
        objective_id = output_id.split(".")[0]
        title, description = OBJECTIVES[objective_id]
        rows.append(
            {
                "objective_id": objective_id,
                "objective": title,
                "objective_text": description,
                "output_id": output_id,
                "output": OUTPUTS[output_id],
                "activity_id": activity_id,
                "activity": activity,
                "leads": leads,
                "partners": partners,
                "focal_points": focal,
                "budget_usd": budget,
                "budget_note": note,
                "comment": comment,
            }
        )
    return rows


# ---------------------------------------------------------------------------------------
# Illustrative progress (NOT reported by the AoR)
# ---------------------------------------------------------------------------------------

_REMARKS = {
    "Completed": ("Delivered and shared with AoR members.", "Closed at the last monthly call."),
    "Ongoing": ("On track; next step agreed at the monthly call.", "Draft circulated for comments."),
    "Delayed": ("Waiting for inputs from partners.", "Rescheduled for lack of funding."),
    "Not started": ("Planned for the next quarter.",),
    "Cancelled": ("Dropped at the mid-term review.",),
}


def _month(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A random first-of-month date between ``first`` and ``last``."""
    months = (last.year - first.year) * 12 + last.month - first.month
    k = rng.randint(0, max(months, 0))
    year, month = divmod(first.month - 1 + k, 12)
    return dt.date(first.year + year, month + 1, 1)


def illustrative_rows() -> list[dict]:
    """The faithful rows plus illustrative status, progress, dates, funding and comments."""
    rng = random.Random(SEED)
    rows = []
    for row in faithful_rows():
        start = _month(rng, PLAN_START, dt.date(2019, 10, 1))
        # Due at the end of a month at least three months after the start, within the plan.
        due = _month(rng, start + dt.timedelta(days=90), dt.date(2019, 12, 1)) + dt.timedelta(days=27)
        if start > AS_OF:
            status, progress = "Not started", 0.0
        elif due <= AS_OF:
            status = rng.choices(["Completed", "Delayed", "Cancelled"], weights=[7, 3, 1])[0]
            progress = {"Completed": 100.0, "Delayed": float(rng.randrange(40, 90, 5)), "Cancelled": 0.0}[status]
        else:
            elapsed = (AS_OF - start).days / max((due - start).days, 1)
            status = rng.choices(["Ongoing", "Delayed"], weights=[4, 1])[0]
            expected = 100 * elapsed
            spread = (-10, 15) if status == "Ongoing" else (-40, -15)
            progress = float(min(95, max(5, 5 * round((expected + rng.randint(*spread)) / 5))))
        last_update = AS_OF - dt.timedelta(days=rng.randint(0, 80))
        if status != "Not started":
            last_update = max(last_update, start)
        funded = None
        if row["budget_usd"]:
            funded = float(rng.choice([0.25, 0.5, 0.6, 0.75, 1.0]) * row["budget_usd"])
        remark = rng.choice(_REMARKS[status])
        comment = "; ".join(c for c in (row["comment"], f"Illustrative: {remark}") if c)
        rows.append(
            {
                **row,
                "funded_usd": funded,
                "status": status,
                "progress": progress,
                "start": start,
                "due": due,
                "last_update": last_update,
                "comment": comment,
            }
        )
    return rows


ABOUT = [
    "MA AoR work plan 2018-2019 - with ILLUSTRATIVE progress",
    "",
    "Objectives, outputs, activities, leads, partners, focal points and budgets are "
    "transcribed from the MA AoR work plan 2018-2019 (as of February 2018).",
    "Status, Progress (%), Start, Due, Last update, Funded (USD) and the comments starting "
    "with 'Illustrative:' are ILLUSTRATIVE: they were made up to show the dashboard and were "
    "NOT reported by the Mine Action AoR. Do not cite them.",
    "Generated by data/build_workplan.py (fixed random seed).",
]

# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------


def column_specs() -> list[dict[str, str]]:
    """Rows of ``columns.csv`` for the workplan kind, in file order."""
    with COLUMNS_CSV.open(encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row["kind"] == "workplan"]


_FORMATS = {"money": "#,##0", "date": "yyyy-mm-dd", "percent": "0"}


def add_workplan_sheet(wb: Workbook, rows: list[dict], title: str = "Work plan") -> None:
    """Append a template-layout work-plan sheet: labels, HXL tags, one row per activity."""
    specs = column_specs()
    ws = wb.create_sheet(title)
    ws.append([s["label"] for s in specs])
    ws.append([s["hxl"].split("|")[0].strip() for s in specs])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for cell in ws[2]:
        cell.font = Font(italic=True, color="666666")
    for row in rows:
        ws.append([row.get(s["field"]) for s in specs])
    wrap = Alignment(wrap_text=True, vertical="top")
    for idx, spec in enumerate(specs, start=1):
        letter = get_column_letter(idx)
        fmt = _FORMATS.get(spec["type"])
        width = 12
        for (cell,) in ws.iter_rows(min_row=3, min_col=idx, max_col=idx):
            if cell.value is None:
                continue
            if fmt:
                cell.number_format = fmt
            if isinstance(cell.value, str) and len(cell.value) > 40:
                cell.alignment = wrap
                width = 50
        ws.column_dimensions[letter].width = max(width, len(spec["label"]) + 2)
    ws.freeze_panes = "A3"


_STAMPS = re.compile(rb"(<dcterms:(?:modified|created)[^>]*>)[^<]*(</dcterms:(?:modified|created)>)")


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes of ``wb`` with fixed timestamps (same input, same bytes)."""
    wb.properties.creator = "maaor data/build_workplan.py"
    wb.properties.created = FIXED_TIME
    raw = io.BytesIO()
    wb.save(raw)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _STAMPS.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def build_faithful() -> Workbook:
    """The faithful work-plan workbook."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = "MA AoR work plan 2018-2019"
    wb.properties.description = "Transcribed from the MA AoR work plan 2018-2019 (February 2018)."
    add_workplan_sheet(wb, faithful_rows())
    return wb


def build_illustrative() -> Workbook:
    """The work plan with illustrative progress, and an About sheet saying so."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = "MA AoR work plan 2018-2019 (illustrative progress)"
    wb.properties.description = (
        "Status, progress, dates, funding and 'Illustrative:' comments are ILLUSTRATIVE, "
        "not reported by the MA AoR."
    )
    add_workplan_sheet(wb, illustrative_rows())
    about = wb.create_sheet("About")
    for line in ABOUT:
        about.append([line])
    about["A1"].font = Font(bold=True, size=13)
    about.column_dimensions["A"].width = 120
    for (cell,) in about.iter_rows(min_row=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return wb


def main() -> None:
    """Write both workbooks."""
    FAITHFUL.write_bytes(workbook_bytes(build_faithful()))
    ILLUSTRATIVE.parent.mkdir(parents=True, exist_ok=True)
    ILLUSTRATIVE.write_bytes(workbook_bytes(build_illustrative()))
    print(f"wrote {FAITHFUL.relative_to(ROOT)} and {ILLUSTRATIVE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
