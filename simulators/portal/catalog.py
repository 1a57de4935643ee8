"""The simulated portal's starting data: ten services with fixed rates, billers' consumers, a kiosk.

Names follow e-Mitra's departments (three electricity discoms, PHED water, and certificates issued
through the Revenue Department and the birth/death registrar). Rates and fees are in paise and are
the simulator's own, not published figures. ``rate_paise`` is what a citizen may be charged for a
fixed service (for a bill: nothing above the bill); ``fee_paise`` is the kiosk's share of it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    """One service in the catalog."""

    service_id: str
    kind: str  # "bill" or "fixed"
    department_en: str
    department_hi: str
    name_en: str
    name_hi: str
    rate_paise: int
    fee_paise: int


@dataclass(frozen=True)
class Bill:
    """One consumer's current bill at a biller."""

    service_id: str
    consumer_no: str
    consumer_name: str
    amount_due_paise: int
    due_date: str
    bill_no: str


_JVVNL = ("Jaipur Vidyut Vitran Nigam Ltd.", "जयपुर विद्युत वितरण निगम लि.")
_AVVNL = ("Ajmer Vidyut Vitran Nigam Ltd.", "अजमेर विद्युत वितरण निगम लि.")
_JDVVNL = ("Jodhpur Vidyut Vitran Nigam Ltd.", "जोधपुर विद्युत वितरण निगम लि.")
_PHED = ("Public Health Engineering Department", "जन स्वास्थ्य अभियांत्रिकी विभाग")
_REVENUE = ("Revenue Department", "राजस्व विभाग")
_DES = ("Directorate of Economics and Statistics", "आर्थिक एवं सांख्यिकी निदेशालय")
_FOOD = ("Food and Civil Supplies Department", "खाद्य एवं नागरिक आपूर्ति विभाग")

SERVICES: tuple[Service, ...] = (
    Service(
        "JVVNL_BILL", "bill", *_JVVNL, "Electricity bill (Jaipur Discom)", "बिजली बिल (जयपुर डिस्कॉम)", 0, 500
    ),
    Service(
        "AVVNL_BILL", "bill", *_AVVNL, "Electricity bill (Ajmer Discom)", "बिजली बिल (अजमेर डिस्कॉम)", 0, 500
    ),
    Service(
        "JDVVNL_BILL",
        "bill",
        *_JDVVNL,
        "Electricity bill (Jodhpur Discom)",
        "बिजली बिल (जोधपुर डिस्कॉम)",
        0,
        500,
    ),
    Service("PHED_WATER_BILL", "bill", *_PHED, "Water bill (PHED)", "पानी का बिल (जलदाय विभाग)", 0, 400),
    Service("BIRTH_CERT", "fixed", *_DES, "Birth certificate", "जन्म प्रमाण पत्र", 4000, 2000),
    Service("DEATH_CERT", "fixed", *_DES, "Death certificate", "मृत्यु प्रमाण पत्र", 4000, 2000),
    Service("CASTE_CERT", "fixed", *_REVENUE, "Caste certificate", "जाति प्रमाण पत्र", 5000, 3000),
    Service("INCOME_CERT", "fixed", *_REVENUE, "Income certificate", "आय प्रमाण पत्र", 5000, 3000),
    Service(
        "DOMICILE_CERT",
        "fixed",
        *_REVENUE,
        "Domicile (Mool Niwas) certificate",
        "मूल निवास प्रमाण पत्र",
        5000,
        3000,
    ),
    Service("RATION_CARD", "fixed", *_FOOD, "Ration card application", "राशन कार्ड आवेदन", 5000, 3000),
)

BILLS: tuple[Bill, ...] = (
    Bill("JVVNL_BILL", "210341012345", "Ramesh Kumar Sharma", 184_700, "2026-01-20", "JV2601-88213"),
    Bill("JVVNL_BILL", "210341067890", "Sunita Devi", 62_350, "2026-01-18", "JV2601-90417"),
    Bill("JVVNL_BILL", "210355500011", "Mohammed Salim", 1_245_000, "2026-01-25", "JV2601-91102"),
    Bill("AVVNL_BILL", "K11223344", "Gopal Lal Jat", 97_500, "2026-01-22", "AV2601-10022"),
    Bill("JDVVNL_BILL", "J50607080", "Kamla Bishnoi", 43_200, "2026-01-21", "JD2601-55871"),
    Bill("PHED_WATER_BILL", "PHED-JPR-004512", "Ramesh Kumar Sharma", 36_000, "2026-01-31", "WB2601-4512"),
    Bill("PHED_WATER_BILL", "PHED-JPR-009981", "Anita Meena", 18_900, "2026-01-31", "WB2601-9981"),
)

DEFAULT_KIOSK_ID = "d35k1111"
DEFAULT_KIOSK_NAMES = ("e-Mitra Kiosk, Malviya Nagar, Jaipur", "ई-मित्र कियोस्क, मालवीय नगर, जयपुर")
DEFAULT_WALLET_PAISE = 2_500_000  # ₹25,000
