"""Specialties: which group a case falls in, and how its free text is written.

The workforce has no specialty, so a case's specialty group comes from a mix
that depends only on the organisation type and the practitioner's profession
and grade (dentists are dental, pharmacists pharmacy, GPs general practice).
The text is one of the spellings in the package's reference table
(`concerns/data/specialty_groups.csv`), so the mapping in the vocabulary reads
it back to the same group; a few unmapped spellings stand for `Other`.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import numpy as np

from concerns import vocabulary as v

__all__ = ["SPECIALTY_CODES", "specialty_probabilities", "specialty_texts"]

SPECIALTY_CODES: tuple[str, ...] = v.SPECIALTY_GROUPS.codes

# Doctors other than GPs, by organisation type.
_DOCTOR_MIX: dict[str, dict[str, float]] = {
    "acute": {
        "medicine": 0.33,
        "surgery": 0.22,
        "anaesthetics": 0.10,
        "emergency_medicine": 0.09,
        "obstetrics_gynaecology": 0.07,
        "paediatrics": 0.06,
        "radiology": 0.05,
        "pathology": 0.04,
        "psychiatry": 0.01,
        "other": 0.03,
    },
    "specialist": {
        "medicine": 0.25,
        "surgery": 0.30,
        "anaesthetics": 0.15,
        "paediatrics": 0.15,
        "radiology": 0.07,
        "pathology": 0.05,
        "other": 0.03,
    },
    "mental_health": {"psychiatry": 0.92, "medicine": 0.04, "other": 0.04},
    "community": {
        "medicine": 0.30,
        "paediatrics": 0.35,
        "psychiatry": 0.10,
        "general_practice": 0.10,
        "other": 0.15,
    },
    "ambulance": {"emergency_medicine": 0.85, "other": 0.15},
    "integrated": {
        "medicine": 0.28,
        "surgery": 0.20,
        "anaesthetics": 0.09,
        "emergency_medicine": 0.08,
        "obstetrics_gynaecology": 0.06,
        "paediatrics": 0.06,
        "psychiatry": 0.10,
        "radiology": 0.04,
        "pathology": 0.03,
        "general_practice": 0.03,
        "other": 0.03,
    },
    "primary_care": {"general_practice": 0.95, "other": 0.05},
    "independent": {
        "surgery": 0.40,
        "medicine": 0.15,
        "anaesthetics": 0.12,
        "psychiatry": 0.18,
        "radiology": 0.10,
        "other": 0.05,
    },
}
_FIXED_GROUP = {"dentist": "dental", "pharmacist": "pharmacy", "gp": "general_practice"}

# Spellings not in the reference table: they map to Other, as real extracts do.
_UNMAPPED = ("Locum", "Medical director's office", "Clinical lead", "Staff grade rota")
# How often a spelling is written relative to a rare one (weight 1): the main specialties and their
# usual abbreviations. Every name here is in the reference table.
_COMMON_SPELLINGS: dict[str, float] = {
    "General medicine": 6,
    "Acute medicine": 4,
    "Geriatric medicine": 4,
    "Care of the elderly": 2,
    "Gen Med": 2,
    "Cardiology": 3,
    "Gastroenterology": 3,
    "Respiratory medicine": 3,
    "Oncology": 2,
    "Haematology": 2,
    "General surgery": 6,
    "Gen Surg": 3,
    "Trauma and orthopaedics": 5,
    "T&O": 3,
    "Urology": 2,
    "ENT": 2,
    "Ophthalmology": 2,
    "Vascular surgery": 2,
    "Anaesthetics": 6,
    "Intensive care medicine": 2,
    "ICU": 2,
    "Emergency medicine": 6,
    "A&E": 4,
    "ED": 2,
    "Obstetrics and gynaecology": 6,
    "O&G": 3,
    "Obs & Gynae": 2,
    "Paediatrics": 6,
    "Paeds": 3,
    "Neonatology": 2,
    "General adult psychiatry": 5,
    "Psychiatry": 4,
    "Psych": 3,
    "Old age psychiatry": 2,
    "CAMHS": 2,
    "Forensic psychiatry": 2,
    "Clinical radiology": 4,
    "Radiology": 5,
    "Histopathology": 4,
    "Microbiology": 2,
    "General practice": 6,
    "GP": 6,
    "Salaried GP": 2,
    "Locum GP": 2,
    "General dental practice": 5,
    "Dentistry": 4,
    "GDP": 2,
    "Orthodontics": 2,
    "Community pharmacy": 6,
    "Hospital pharmacy": 4,
    "Pharmacy": 4,
    "Clinical pharmacy": 2,
}


def _vector(mix: dict[str, float]) -> np.ndarray:
    probabilities = np.array([mix.get(code, 0.0) for code in SPECIALTY_CODES])
    total: float = probabilities.sum()
    return probabilities / total


@cache
def specialty_probabilities(org_type: str, profession: str, grade: str) -> np.ndarray:
    """Probability of each specialty group (in vocabulary order) for a case."""
    fixed = _FIXED_GROUP[profession] if profession != "doctor" else _FIXED_GROUP.get(grade)
    if fixed:
        return _vector({fixed: 1.0})
    return _vector(_DOCTOR_MIX[org_type])


@cache
def specialty_texts() -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Every spelling written, its group index and its weight within the group."""
    text = resources.files("concerns.data").joinpath("specialty_groups.csv").read_text("utf-8")
    rows = [(row["specialty"], row["specialty_group"]) for row in csv.DictReader(text.splitlines())]
    rows = [(name, group) for name, group in rows if group != "not_stated"]
    rows += [(name, "other") for name in _UNMAPPED]
    texts, groups, weights = [], [], []
    for name, group in rows:
        if v.specialty_group_of(name) != group:
            continue  # only spellings the vocabulary reads back to their group
        texts.append(name)
        groups.append(SPECIALTY_CODES.index(group))
        weights.append(_COMMON_SPELLINGS.get(name, 1.0))
    unknown = set(_COMMON_SPELLINGS) - set(texts)
    if unknown:
        raise ValueError(f"common specialty spellings missing from the reference table: {sorted(unknown)}")
    return tuple(texts), np.array(groups), np.array(weights)
