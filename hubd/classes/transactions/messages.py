"""Bilingual (Hindi / English) lines for a payment's state and reason, as an operator reads them."""

from __future__ import annotations

from hubd.classes.transactions.model import TxnState

REASONS: dict[str, tuple[str, str]] = {
    "NOT_SENT": (
        "भुगतान पोर्टल को नहीं भेजा गया; कोई राशि नहीं कटी",
        "not sent to the portal; nothing was charged",
    ),
    "PORTAL_UNREACHABLE": (
        "पोर्टल से संपर्क नहीं: भुगतान नहीं भेजा गया, कोई राशि नहीं कटी (कार्य केवल ऑनलाइन)",
        "portal unreachable: payment not sent, nothing charged (work only online)",
    ),
    "NOT_RECEIVED": (
        "पोर्टल को भुगतान नहीं मिला; कोई राशि नहीं कटी",
        "the portal never received it; nothing was charged",
    ),
    "REVERSED": (
        "पोर्टल ने भुगतान वापस किया; राशि वॉलेट में लौटी",
        "the portal reversed it; the wallet was refunded",
    ),
    "PORTAL_PENDING": ("भुगतान पोर्टल पर लंबित; पुष्टि की जा रही है", "pending at the portal; being verified"),
    "INSUFFICIENT_BALANCE": ("ई-वॉलेट में पर्याप्त राशि नहीं", "the wallet balance is too low"),
    "RATE_EXCEEDED": ("राशि निर्धारित दर से अधिक", "the amount is above the fixed rate"),
    "AMOUNT_MISMATCH": ("राशि देय राशि से मेल नहीं खाती", "the amount does not match what is due"),
    "CONSUMER_NOT_FOUND": ("उपभोक्ता संख्या नहीं मिली", "consumer number not found"),
    "UNKNOWN_SERVICE": ("सेवा उपलब्ध नहीं", "unknown service"),
}


def describe(state: TxnState, reason: str) -> str:
    """The operator's line for a payment in ``state`` for ``reason``."""
    if state is TxnState.CONFIRMED:
        return "भुगतान सफल / payment confirmed"
    if reason in REASONS:
        hindi, english = REASONS[reason]
    elif state is TxnState.FAILED:
        hindi, english = (
            f"पोर्टल ने भुगतान अस्वीकार किया ({reason})",
            f"the portal declined the payment ({reason})",
        )
    elif state is TxnState.IN_DOUBT:
        hindi, english = (
            f"भुगतान की स्थिति अज्ञात ({reason}); दोबारा भुगतान न लें, पोर्टल से जाँच जारी",
            f"outcome unknown ({reason}); do not take the payment again, verifying with the portal",
        )
    else:
        hindi, english = "भुगतान प्रक्रिया में", "payment in progress"
    return f"{hindi} / {english}"
