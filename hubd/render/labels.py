"""The bilingual (Hindi / English) wording printed on every receipt.

Kept in one place so wording can be reviewed by a Hindi reader without touching layout code.
Vocabulary follows the e-Mitra kiosk training material (रसीद, कियोस्क, उपभोक्ता, राशि, शुल्क).
"""

from __future__ import annotations

TITLE = "ई-मित्र रसीद / e-Mitra Receipt"
GOVERNMENT = "राजस्थान सरकार / Government of Rajasthan"

KIOSK_ID = "कियोस्क आईडी / Kiosk ID"
KIOSK_NAME = "कियोस्क नाम / Kiosk Name"
RECEIPT_NO = "रसीद संख्या / Receipt No."
TRANSACTION_ID = "लेनदेन आईडी / Transaction ID"
DATE = "दिनांक / Date"
DEPARTMENT = "विभाग / Department"
SERVICE = "सेवा / Service"
CONSUMER_NO = "उपभोक्ता संख्या / Consumer No."
CONSUMER_NAME = "उपभोक्ता का नाम / Consumer Name"
PAYMENT_MODE = "भुगतान माध्यम / Payment Mode"
OPERATOR = "ऑपरेटर / Operator"
AMOUNT = "राशि / Amount"
KIOSK_FEE = "कियोस्क शुल्क / Kiosk Fee"
TOTAL = "कुल राशि / Total"

ALL = (
    KIOSK_ID,
    KIOSK_NAME,
    RECEIPT_NO,
    TRANSACTION_ID,
    DATE,
    DEPARTMENT,
    SERVICE,
    CONSUMER_NO,
    CONSUMER_NAME,
    PAYMENT_MODE,
    OPERATOR,
    AMOUNT,
    KIOSK_FEE,
    TOTAL,
)
"""Every field label (they share one label column)."""

FOOTER = (
    "कृपया यह रसीद सुरक्षित रखें।",
    "Please keep this receipt for your records.",
    "धन्यवाद / Thank you",
)
