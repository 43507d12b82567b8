"""A hand-made report dict with exactly the shared/DOMAIN.md "Report JSON" shape."""

from datetime import date


def _rate(num, den, low, high):
    return {"value": (num / den) if den else None, "numerator": num, "denominator": den,
            "ci_low": low, "ci_high": high}


def sample_report(cohort_id=1, name="Kull HT", program="Jobbpunkt", as_of=date(2026, 6, 30),
                  district="Bäckby"):
    return {
        "cohort": {"id": cohort_id, "name": name, "program": program,
                   "starts_on": "2025-09-01", "ends_on": None},
        "as_of": as_of.isoformat(),
        "counts": {"enrolled": 133, "active": 21, "leavers": 112, "job": 50, "studies": 32,
                   "other": 30, "job_unsubsidized": 31, "job_subsidized": 14,
                   "self_employed": 5, "studies_regular": 20, "training": 12,
                   "job_seeking": 17, "neutral": 8, "dropout_unknown": 5,
                   "qualification_gained": 40},
        "rates": {
            "job_or_studies": _rate(82, 112, 0.643, 0.803),
            "job_or_studies_excl_neutral": _rate(82, 104, 0.699, 0.854),
            "job": _rate(50, 112, 0.356, 0.540),
            "studies": _rate(32, 112, 0.208, 0.374),
        },
        "time_to_outcome": {
            "median_days": 187, "q1_days": 121, "q3_days": 290,
            "cumulative": [{"month": m, "share": round(min(0.7, 0.035 * max(0, m - 2)), 3)}
                           for m in range(1, 25)],
        },
        "funnel": [
            {"position": 1, "name": "Profilanalys", "kind": "profile_analysis",
             "reached": 133, "done": 128},
            {"position": 2, "name": "Coachning", "kind": "coaching", "reached": 126, "done": 104},
            {"position": 3, "name": "Nätverk", "kind": "networking", "reached": 98, "done": 71},
            {"position": 4, "name": "Praktik", "kind": "internship", "reached": 64, "done": 49},
        ],
        "attendance": {"attended": 1840, "no_show": 212, "rate": 1840 / 2052},
        "sustained_6m": {"positive": 61, "recorded": 74, "pending": 6, "unknown": 3,
                         "rate": 61 / 74},
        "distance_travelled": [
            {"area": "job_skills", "n": 88, "mean_change": 2.3, "improved_share": 0.61},
            {"area": "motivation", "n": 88, "mean_change": 1.4, "improved_share": 0.42},
            {"area": "language", "n": 80, "mean_change": 2.9, "improved_share": 0.7},
            {"area": "health", "n": 85, "mean_change": -0.4, "improved_share": 0.08},
        ],
        "breakdowns": {
            "gender": [
                {"key": "woman", "enrolled": 71, "leavers": 60, "job_or_studies": 45,
                 "rate": 0.75, "suppressed": False},
                {"key": "man", "enrolled": 59, "leavers": 50, "job_or_studies": 36,
                 "rate": 0.72, "suppressed": False},
                {"key": "non_binary", "enrolled": None, "leavers": None,
                 "job_or_studies": None, "rate": None, "suppressed": True},
                {"key": "unknown", "enrolled": None, "leavers": None,
                 "job_or_studies": None, "rate": None, "suppressed": True},
            ],
            "age_band": [
                {"key": "18-29", "enrolled": 48, "leavers": 40, "job_or_studies": 33,
                 "rate": 0.825, "suppressed": False},
                {"key": "30-54", "enrolled": 77, "leavers": 66, "job_or_studies": 45,
                 "rate": 0.682, "suppressed": False},
                {"key": "55+", "enrolled": 8, "leavers": 6, "job_or_studies": None,
                 "rate": None, "suppressed": True},
            ],
            "birth_region": [
                {"key": "sweden", "enrolled": 22, "leavers": 19, "job_or_studies": 14,
                 "rate": 14 / 19, "suppressed": False},
                {"key": "outside_europe", "enrolled": 104, "leavers": 88,
                 "job_or_studies": 64, "rate": 64 / 88, "suppressed": False},
                {"key": "europe", "enrolled": 7, "leavers": 5, "job_or_studies": None,
                 "rate": None, "suppressed": True},
            ],
            "isced": [
                {"key": "isced_0_2", "enrolled": 61, "leavers": 52, "job_or_studies": 35,
                 "rate": 35 / 52, "suppressed": False},
                {"key": "isced_3_4", "enrolled": 45, "leavers": 38, "job_or_studies": 29,
                 "rate": 29 / 38, "suppressed": False},
                {"key": "isced_5_8", "enrolled": 27, "leavers": 22, "job_or_studies": 18,
                 "rate": 18 / 22, "suppressed": False},
            ],
            "long_term_unemployed": [
                {"key": True, "enrolled": 80, "leavers": 69, "job_or_studies": 45,
                 "rate": 45 / 69, "suppressed": False},
                {"key": False, "enrolled": 53, "leavers": 43, "job_or_studies": 37,
                 "rate": 37 / 43, "suppressed": False},
            ],
            "district": [
                {"key": district, "enrolled": 90, "leavers": 77, "job_or_studies": 58,
                 "rate": 58 / 77, "suppressed": False},
                {"key": "Skiftinge", "enrolled": 39, "leavers": 33, "job_or_studies": 22,
                 "rate": 22 / 33, "suppressed": False},
                {"key": "Lagersberg", "enrolled": None, "leavers": None,
                 "job_or_studies": None, "rate": None, "suppressed": True},
            ],
        },
        "cost_per_outcome_sek": 4_250_000 / 82,
    }
