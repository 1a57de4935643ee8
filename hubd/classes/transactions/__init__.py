"""Transactions: e-Mitra payments through the portal (a capability of the hub, not a device class).

coordinator.TransactionCoordinator   the object a servicer calls (pay, verify, reconcile, ...)
config.TransactionsConfig            the ``[transactions]`` table
portal.PortalClient                  the thin, signed HTTP client (docs/portal-protocol.md)
journal.Journal                      payments committed to SQLite before anything is sent
rules                                the kiosk rules (rate, wallet, inactivity, cheque), pure
receipt.Receipt                      what is handed to the receipt printer
reconcile                            the journal against the portal's statement
"""
