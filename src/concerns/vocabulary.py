"""Every code the system knows, with its label and grouping.

This is the one vocabulary that ingest, analytics, reports and the portal import.
A code set resolves free input (the code, its label, or a known alias, in any case)
to its canonical code, and suggests the nearest code when it cannot.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

__all__ = [
    "Code",
    "CodeSet",
    "PROFESSIONS",
    "GRADES",
    "ETHNIC_CATEGORIES",
    "ETHNIC_GROUPS",
    "SEXES",
    "AGE_BANDS",
    "PMQS",
    "DISABILITIES",
    "CONCERN_CATEGORIES",
    "CONCERNS",
    "SERVICES",
    "OUTCOMES",
    "ORG_TYPES",
    "NATIONS",
    "SPECIALTY_GROUPS",
    "SPECIALTIES",
    "WORKFORCE_DIMENSIONS",
    "DIMENSION_CODESETS",
    "DIMENSION_TITLES",
    "STAFF_GROUP_TITLES",
    "ETHNIC_MINORITY_GROUPS",
    "normalise_key",
    "specialty_group_of",
    "specialty_of",
    "specialty_mapping",
    "fiscal_year_of",
    "fiscal_year_start",
    "fiscal_year_end",
    "fiscal_years_before",
    "parse_fiscal_year",
    "is_fiscal_year",
]

_SPACES = re.compile(r"[\s_\-]+")


def normalise_key(text: str) -> str:
    """The form used to match input against codes, labels and aliases.

    Case, surrounding space and the difference between spaces, hyphens and
    underscores are ignored, so "Ethnic Minority", "ethnic_minority" and
    "ETHNIC-MINORITY" all match.
    """
    return _SPACES.sub(" ", str(text).strip().lower()).strip()


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    group: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeSet:
    """An ordered set of codes; the order is the order reports show them in."""

    name: str
    members: tuple[Code, ...]
    _index: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        for member in self.members:
            for text in (member.code, member.label, *member.aliases):
                key = normalise_key(text)
                if index.get(key, member.code) != member.code:
                    raise ValueError(f"{self.name}: {text!r} names two codes")
                index[key] = member.code
        object.__setattr__(self, "_index", index)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(member.code for member in self.members)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def __iter__(self) -> Iterator[Code]:
        return iter(self.members)

    def __len__(self) -> int:
        return len(self.members)

    def resolve(self, text: object) -> str | None:
        """The canonical code for a code, label or alias in any case; None if unknown."""
        if text is None:
            return None
        return self._index.get(normalise_key(str(text)))

    def get(self, code: str) -> Code:
        for member in self.members:
            if member.code == code:
                return member
        raise KeyError(f"{self.name}: no code {code!r}")

    def label(self, code: str) -> str:
        return self.get(code).label

    def group(self, code: str) -> str | None:
        return self.get(code).group

    def labels(self) -> dict[str, str]:
        return {member.code: member.label for member in self.members}

    def lookup(self) -> dict[str, str]:
        """Every accepted spelling (normalised) → code, for vectorised mapping."""
        return dict(self._index)

    def suggest(self, text: object) -> str | None:
        """The nearest code (by its code or label) to a value that did not resolve."""
        if text is None:
            return None
        key = normalise_key(str(text))
        match = difflib.get_close_matches(key, list(self._index), n=1, cutoff=0.6)
        return self._index[match[0]] if match else None


_Row = tuple[str, str] | tuple[str, str, str | None] | tuple[str, str, str | None, tuple[str, ...]]


def _codes(name: str, *rows: _Row) -> CodeSet:
    return CodeSet(name, tuple(Code(*row) for row in rows))


PROFESSIONS = _codes(
    "profession",
    ("doctor", "Doctor", None, ("doctors", "medical")),
    ("dentist", "Dentist", None, ("dentists", "dental")),
    ("pharmacist", "Pharmacist", None, ("pharmacists", "pharmacy")),
)

GRADES = _codes(
    "grade",
    ("consultant", "Consultant"),
    (
        "sas",
        "Specialty and specialist (SAS) doctor",
        None,
        ("specialty and specialist", "staff grade", "associate specialist", "specialty doctor"),
    ),
    (
        "resident",
        "Resident doctor (in training)",
        None,
        ("resident doctor", "trainee", "doctor in training", "junior doctor"),
    ),
    ("locally_employed", "Locally employed doctor", None, ("led", "trust grade", "locally employed")),
    ("gp", "General practitioner", None, ("general practice",)),
    ("dentist", "Dentist"),
    ("pharmacist", "Pharmacist"),
    ("other", "Other grade"),
    ("not_stated", "Not stated", None, ("unknown", "not known")),
)

ETHNIC_GROUPS = _codes(
    "ethnic group",
    ("white", "White"),
    ("mixed", "Mixed", None, ("mixed or multiple ethnic groups", "mixed ethnic groups")),
    ("asian", "Asian or Asian British", None, ("asian british",)),
    (
        "black",
        "Black or Black British",
        None,
        ("black british", "black, african, caribbean or black british"),
    ),
    ("other", "Other ethnic groups", None, ("other ethnic group", "any other ethnic group")),
    ("not_stated", "Not stated", None, ("not known", "unknown")),
)

# Groups counted as "ethnic minority" by the Workforce Race Equality Standard.
ETHNIC_MINORITY_GROUPS: tuple[str, ...] = ("mixed", "asian", "black", "other")

ETHNIC_CATEGORIES = _codes(
    "ethnicity",
    ("A", "White - British", "white"),
    ("B", "White - Irish", "white"),
    ("C", "White - Any other White background", "white"),
    ("D", "Mixed - White and Black Caribbean", "mixed"),
    ("E", "Mixed - White and Black African", "mixed"),
    ("F", "Mixed - White and Asian", "mixed"),
    ("G", "Mixed - Any other mixed background", "mixed"),
    ("H", "Asian or Asian British - Indian", "asian"),
    ("J", "Asian or Asian British - Pakistani", "asian"),
    ("K", "Asian or Asian British - Bangladeshi", "asian"),
    ("L", "Asian or Asian British - Any other Asian background", "asian"),
    ("M", "Black or Black British - Caribbean", "black"),
    ("N", "Black or Black British - African", "black"),
    ("P", "Black or Black British - Any other Black background", "black"),
    ("R", "Other ethnic groups - Chinese", "other"),
    ("S", "Other ethnic groups - Any other ethnic group", "other"),
    ("Z", "Not stated", "not_stated"),
    ("99", "Not known", "not_stated"),
)

SEXES = _codes(
    "sex",
    ("female", "Female", None, ("f", "woman", "women")),
    ("male", "Male", None, ("m", "man", "men")),
    ("not_stated", "Not stated", None, ("unknown", "not known")),
)

AGE_BANDS = _codes(
    "age band",
    ("under_35", "Under 35", None, ("<35", "34 and under")),
    ("35_44", "35 to 44", None, ("35-44",)),
    ("45_54", "45 to 54", None, ("45-54",)),
    ("55_64", "55 to 64", None, ("55-64",)),
    ("65_plus", "65 and over", None, ("65+", "65 and above")),
    ("not_stated", "Not stated", None, ("unknown", "not known")),
)

PMQS = _codes(
    "place of primary qualification",
    ("uk", "UK", None, ("united kingdom", "uk graduate")),
    ("eea", "European Economic Area", None, ("eea graduate",)),
    (
        "international",
        "International (outside the UK and EEA)",
        None,
        ("img", "international graduate", "non eea", "rest of world"),
    ),
    ("not_stated", "Not stated", None, ("unknown", "not known")),
)

DISABILITIES = _codes(
    "disability",
    ("yes", "Disabled", None, ("y", "true", "disabled")),
    ("no", "Not disabled", None, ("n", "false")),
    ("not_stated", "Not stated", None, ("unknown", "not known")),
)

CONCERN_CATEGORIES = _codes(
    "concern category",
    ("clinical", "Clinical skills and knowledge"),
    (
        "behaviour",
        "Misconduct and other behaviour",
        None,
        ("behavior", "conduct", "misconduct and behaviour"),
    ),
    ("health", "Health of the practitioner"),
    ("other", "Other concerns"),
)

# Every concern code; a sub-code's group is its top-level category.
CONCERNS = _codes(
    "concern",
    ("clinical", "Clinical skills and knowledge", "clinical"),
    ("clinical.governance_safety", "Clinical governance and patient safety", "clinical"),
    ("clinical.capability", "Clinical capability", "clinical"),
    ("clinical.record_keeping", "Record keeping", "clinical"),
    ("behaviour", "Misconduct and other behaviour", "behaviour", ("behavior", "conduct")),
    ("behaviour.misconduct", "Misconduct", "behaviour"),
    ("behaviour.bullying_harassment", "Bullying and harassment", "behaviour"),
    ("behaviour.team_relationships", "Working relationships in the team", "behaviour"),
    ("behaviour.probity", "Probity", "behaviour"),
    ("health", "Health of the practitioner", "health"),
    ("health.physical", "Physical health", "health"),
    ("health.mental", "Mental health", "health"),
    ("health.addiction", "Addiction", "health"),
    ("other", "Other concerns", "other"),
    ("other.work_environment", "Work environment", "other"),
    ("other.language", "Language", "other"),
)

SERVICES = _codes(
    "service",
    ("advice", "Advice"),
    ("exclusion", "Advice on exclusion or suspension", None, ("suspension",)),
    ("restriction", "Advice on restriction of practice", None, ("restrictions",)),
    ("clinical_assessment", "Clinical performance assessment"),
    ("behavioural_assessment", "Behavioural assessment", None, ("behavioral assessment",)),
    ("action_plan", "Action plan", None, ("remediation", "action planning")),
    ("team_review", "Team review"),
    ("hpan", "Healthcare Professional Alert Notice", None, ("alert notice",)),
    ("education", "Education"),
)

OUTCOMES = _codes(
    "outcome",
    ("open", "Still open"),
    ("resolved_locally", "Resolved locally"),
    ("action_plan", "Action plan agreed"),
    ("returned_to_practice", "Returned to practice"),
    ("referred_to_regulator", "Referred to the regulator"),
    ("left_organisation", "Left the organisation"),
    ("other", "Other outcome"),
)

ORG_TYPES = _codes(
    "organisation type",
    ("acute", "Acute trust"),
    ("specialist", "Specialist trust"),
    ("mental_health", "Mental health trust"),
    ("community", "Community trust"),
    ("ambulance", "Ambulance trust"),
    ("integrated", "Integrated health board or trust", None, ("health board", "hsc trust")),
    ("primary_care", "Primary care organisation"),
    ("independent", "Independent provider"),
)

NATIONS = _codes(
    "nation",
    ("england", "England"),
    ("wales", "Wales", None, ("cymru",)),
    ("northern_ireland", "Northern Ireland", None, ("ni",)),
)

SPECIALTY_GROUPS = _codes(
    "specialty group",
    ("medicine", "Medicine"),
    ("surgery", "Surgery"),
    ("anaesthetics", "Anaesthetics and intensive care", None, ("anaesthetics & intensive care",)),
    ("emergency_medicine", "Emergency medicine"),
    ("obstetrics_gynaecology", "Obstetrics and gynaecology", None, ("obstetrics & gynaecology",)),
    ("paediatrics", "Paediatrics"),
    ("psychiatry", "Psychiatry"),
    ("radiology", "Radiology"),
    ("pathology", "Pathology"),
    ("general_practice", "General practice"),
    ("dental", "Dental"),
    ("pharmacy", "Pharmacy"),
    ("other", "Other"),
    ("not_stated", "Not stated"),
)

# Standard specialties (the GMC's specialties, with the usual sub-specialties folded in), each in its
# specialty group: the finer staff groups a cluster can be found in. A spelling that names only a group
# ("Medicine", "Surgical", "Psych") has no standard specialty.
SPECIALTIES = _codes(
    "specialty",
    ("acute_medicine", "Acute internal medicine", "medicine"),
    ("allergy", "Allergy", "medicine"),
    ("audiovestibular_medicine", "Audiovestibular medicine", "medicine"),
    ("aviation_space_medicine", "Aviation and space medicine", "medicine"),
    ("cardiology", "Cardiology", "medicine"),
    ("clinical_genetics", "Clinical genetics", "medicine"),
    ("clinical_neurophysiology", "Clinical neurophysiology", "medicine"),
    ("clinical_oncology", "Clinical oncology", "medicine"),
    ("clinical_pharmacology", "Clinical pharmacology and therapeutics", "medicine"),
    ("dermatology", "Dermatology", "medicine"),
    ("endocrinology_diabetes", "Endocrinology and diabetes mellitus", "medicine"),
    ("gastroenterology", "Gastroenterology", "medicine"),
    ("genitourinary_medicine", "Genitourinary medicine", "medicine"),
    ("geriatric_medicine", "Geriatric medicine", "medicine"),
    ("general_internal_medicine", "General internal medicine", "medicine"),
    ("haematology", "Haematology", "medicine"),
    ("infectious_diseases", "Infectious diseases", "medicine"),
    ("medical_oncology", "Medical oncology", "medicine"),
    ("medical_ophthalmology", "Medical ophthalmology", "medicine"),
    ("neurology", "Neurology", "medicine"),
    ("nuclear_medicine", "Nuclear medicine", "medicine"),
    ("occupational_medicine", "Occupational medicine", "medicine"),
    ("palliative_medicine", "Palliative medicine", "medicine"),
    ("pharmaceutical_medicine", "Pharmaceutical medicine", "medicine"),
    ("public_health", "Public health medicine", "medicine"),
    ("rehabilitation_medicine", "Rehabilitation medicine", "medicine"),
    ("renal_medicine", "Renal medicine", "medicine"),
    ("respiratory_medicine", "Respiratory medicine", "medicine"),
    ("rheumatology", "Rheumatology", "medicine"),
    ("sport_exercise_medicine", "Sport and exercise medicine", "medicine"),
    ("stroke_medicine", "Stroke medicine", "medicine"),
    ("tropical_medicine", "Tropical medicine", "medicine"),
    ("general_surgery", "General surgery", "surgery"),
    ("cardiothoracic_surgery", "Cardiothoracic surgery", "surgery"),
    ("neurosurgery", "Neurosurgery", "surgery"),
    ("oral_maxillofacial_surgery", "Oral and maxillofacial surgery", "surgery"),
    ("ophthalmology", "Ophthalmology", "surgery"),
    ("otolaryngology", "Ear, nose and throat surgery", "surgery"),
    ("paediatric_surgery", "Paediatric surgery", "surgery"),
    ("plastic_surgery", "Plastic surgery", "surgery"),
    ("trauma_orthopaedic_surgery", "Trauma and orthopaedic surgery", "surgery"),
    ("urology", "Urology", "surgery"),
    ("vascular_surgery", "Vascular surgery", "surgery"),
    ("anaesthesia", "Anaesthesia", "anaesthetics"),
    ("intensive_care_medicine", "Intensive care medicine", "anaesthetics"),
    ("pain_medicine", "Pain medicine", "anaesthetics"),
    ("adult_emergency_medicine", "Adult emergency medicine", "emergency_medicine"),
    ("paediatric_emergency_medicine", "Paediatric emergency medicine", "emergency_medicine"),
    ("pre_hospital_emergency_medicine", "Pre-hospital emergency medicine", "emergency_medicine"),
    ("general_obstetrics_gynaecology", "General obstetrics and gynaecology", "obstetrics_gynaecology"),
    ("gynaecological_oncology", "Gynaecological oncology", "obstetrics_gynaecology"),
    ("maternal_fetal_medicine", "Maternal and fetal medicine", "obstetrics_gynaecology"),
    ("reproductive_medicine", "Reproductive medicine", "obstetrics_gynaecology"),
    ("sexual_reproductive_health", "Community sexual and reproductive health", "obstetrics_gynaecology"),
    ("general_paediatrics", "General paediatrics", "paediatrics"),
    ("community_child_health", "Community child health", "paediatrics"),
    ("neonatology", "Neonatal medicine", "paediatrics"),
    ("paediatric_cardiology", "Paediatric cardiology", "paediatrics"),
    ("paediatric_intensive_care", "Paediatric intensive care medicine", "paediatrics"),
    ("paediatric_neurology", "Paediatric neurology", "paediatrics"),
    ("general_psychiatry", "General adult psychiatry", "psychiatry"),
    ("addiction_psychiatry", "Addiction psychiatry", "psychiatry"),
    ("child_adolescent_psychiatry", "Child and adolescent psychiatry", "psychiatry"),
    ("forensic_psychiatry", "Forensic psychiatry", "psychiatry"),
    ("learning_disability_psychiatry", "Psychiatry of learning disability", "psychiatry"),
    ("liaison_psychiatry", "Liaison psychiatry", "psychiatry"),
    ("medical_psychotherapy", "Medical psychotherapy", "psychiatry"),
    ("old_age_psychiatry", "Old age psychiatry", "psychiatry"),
    ("perinatal_psychiatry", "Perinatal psychiatry", "psychiatry"),
    ("rehabilitation_psychiatry", "Rehabilitation psychiatry", "psychiatry"),
    ("clinical_radiology", "Clinical radiology", "radiology"),
    ("interventional_radiology", "Interventional radiology", "radiology"),
    ("neuroradiology", "Neuroradiology", "radiology"),
    ("histopathology", "Histopathology", "pathology"),
    ("chemical_pathology", "Chemical pathology", "pathology"),
    ("forensic_histopathology", "Forensic histopathology", "pathology"),
    ("immunology", "Immunology", "pathology"),
    ("medical_microbiology", "Medical microbiology and virology", "pathology"),
    ("neuropathology", "Neuropathology", "pathology"),
    ("paediatric_pathology", "Paediatric and perinatal pathology", "pathology"),
    ("general_practice", "General practice", "general_practice"),
    ("general_dental_practice", "General dental practice", "dental"),
    ("community_dentistry", "Community dentistry", "dental"),
    ("dental_public_health", "Dental public health", "dental"),
    ("endodontics", "Endodontics", "dental"),
    ("oral_maxillofacial_pathology", "Oral and maxillofacial pathology", "dental"),
    ("oral_maxillofacial_radiology", "Oral and maxillofacial radiology", "dental"),
    ("oral_medicine", "Oral medicine", "dental"),
    ("oral_surgery", "Oral surgery", "dental"),
    ("orthodontics", "Orthodontics", "dental"),
    ("paediatric_dentistry", "Paediatric dentistry", "dental"),
    ("periodontics", "Periodontics", "dental"),
    ("prosthodontics", "Prosthodontics", "dental"),
    ("restorative_dentistry", "Restorative dentistry", "dental"),
    ("special_care_dentistry", "Special care dentistry", "dental"),
    ("community_pharmacy", "Community pharmacy", "pharmacy"),
    ("hospital_pharmacy", "Hospital pharmacy", "pharmacy"),
    ("primary_care_pharmacy", "Primary care pharmacy", "pharmacy"),
    ("medical_education", "Medical education", "other"),
    ("medical_management", "Medical management", "other"),
    ("academic_medicine", "Academic medicine and research", "other"),
    ("clinical_informatics", "Clinical informatics", "other"),
)

WORKFORCE_DIMENSIONS = _codes(
    "workforce dimension",
    ("total", "Total"),
    ("ethnicity", "Ethnic group", None, ("ethnic group",)),
    ("sex", "Sex"),
    ("pmq", "Place of primary qualification"),
    ("age_band", "Age band"),
    ("grade", "Grade"),
    ("disability", "Disability"),
)

TOTAL_GROUP = "all"

# The code set that a workforce row's `group` is read against, by dimension.
DIMENSION_CODESETS: dict[str, CodeSet] = {
    "ethnicity": ETHNIC_GROUPS,
    "sex": SEXES,
    "pmq": PMQS,
    "age_band": AGE_BANDS,
    "grade": GRADES,
    "disability": DISABILITIES,
}

# The case column that matches each workforce dimension.
DIMENSION_CASE_COLUMN: dict[str, str] = {
    "ethnicity": "ethnic_group",
    "sex": "sex",
    "pmq": "pmq",
    "age_band": "age_band",
    "grade": "grade",
    "disability": "disability",
}

# The title of each dimension a report breaks cases down by.
DIMENSION_TITLES: dict[str, str] = {
    "fiscal_year": "Cases by financial year",
    "concern_category": "Types of concern",
    "concern_subtype": "Sub-types of concern",
    "profession": "Profession",
    "grade": "Grade",
    "specialty_group": "Specialty group",
    "ethnic_group": "Ethnic group",
    "sex": "Sex",
    "age_band": "Age band",
    "pmq": "Place of primary qualification",
    "disability": "Disability",
    "service": "Advice services used",
    "outcome": "Outcomes",
}

# The title of each staff group axis the cluster search looks along.
STAFF_GROUP_TITLES: dict[str, str] = {
    "specialty_group": "Specialty group",
    "grade": "Grade",
    "specialty_grade": "Specialty group and grade",
    "specialty": "Specialty",
}


# --- specialty groups -------------------------------------------------------------

_SPECIALTY_PUNCTUATION = re.compile(r"[^\w&+ ]+")


def _specialty_key(text: str) -> str:
    cleaned = _SPECIALTY_PUNCTUATION.sub(" ", str(text).lower().replace("’", "'").replace("'", ""))
    return normalise_key(cleaned)


@cache
def specialty_mapping() -> dict[str, str]:
    """Specialty name or abbreviation (normalised) → specialty group code.

    Read from the reference table shipped with the package,
    `concerns/data/specialty_groups.csv`.
    """
    text = resources.files("concerns.data").joinpath("specialty_groups.csv").read_text("utf-8")
    mapping: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines()):
        group = row["specialty_group"]
        if group not in SPECIALTY_GROUPS:
            raise ValueError(f"specialty_groups.csv: unknown group {group!r}")
        key = _specialty_key(row["specialty"])
        if mapping.get(key, group) != group:
            raise ValueError(f"specialty_groups.csv: {row['specialty']!r} maps to two groups")
        mapping[key] = group
    for member in SPECIALTY_GROUPS:
        mapping.setdefault(_specialty_key(member.label), member.code)
        mapping.setdefault(_specialty_key(member.code), member.code)
    for member in SPECIALTIES:
        if member.group is not None:  # every specialty has a group
            mapping.setdefault(_specialty_key(member.label), member.group)
    return mapping


@cache
def _standard_specialties() -> dict[str, str]:
    """Specialty name or abbreviation (normalised) → standard specialty code (`standard` column of
    `concerns/data/specialty_groups.csv`, and each standard label)."""
    text = resources.files("concerns.data").joinpath("specialty_groups.csv").read_text("utf-8")
    mapping: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines()):
        code = row["standard"]
        if not code:
            continue
        if code not in SPECIALTIES or SPECIALTIES.group(code) != row["specialty_group"]:
            raise ValueError(
                f"specialty_groups.csv: {row['specialty']!r} has standard {code!r} of another group"
            )
        mapping[_specialty_key(row["specialty"])] = code
    for member in SPECIALTIES:
        mapping.setdefault(_specialty_key(member.label), member.code)
    return mapping


def specialty_of(specialty: str | None) -> str | None:
    """The standard specialty of a free-text specialty; None when it names only a group, is not mapped or
    is empty."""
    if specialty is None or not str(specialty).strip():
        return None
    return _standard_specialties().get(_specialty_key(specialty))


def specialty_group_of(specialty: str | None) -> str:
    """The specialty group of a free-text specialty: unmapped → other, empty → not_stated."""
    if specialty is None or not str(specialty).strip():
        return "not_stated"
    return specialty_mapping().get(_specialty_key(specialty), "other")


# --- NHS financial years ----------------------------------------------------------

_FISCAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def fiscal_year_of(day: dt.date) -> str:
    """The NHS financial year (1 April to 31 March) a date falls in, as '2023/24'."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def is_fiscal_year(text: str) -> bool:
    match = _FISCAL_YEAR.match(str(text).strip())
    return match is not None and (int(match.group(1)) + 1) % 100 == int(match.group(2))


def parse_fiscal_year(text: str) -> int:
    """The calendar year a financial year starts in: '2023/24' → 2023."""
    if not is_fiscal_year(text):
        raise ValueError(f"not an NHS financial year like 2023/24: {text!r}")
    return int(str(text).strip()[:4])


def fiscal_year_start(text: str) -> dt.date:
    return dt.date(parse_fiscal_year(text), 4, 1)


def fiscal_year_end(text: str) -> dt.date:
    return dt.date(parse_fiscal_year(text) + 1, 3, 31)


def fiscal_years_before(as_of: dt.date, count: int = 5) -> list[str]:
    """The `count` complete financial years ending with the last one complete before `as_of`."""
    current_start = as_of.year if as_of.month >= 4 else as_of.year - 1
    last_complete = current_start - 1
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(last_complete - count + 1, last_complete + 1)]
