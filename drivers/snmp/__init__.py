"""SNMP client for out-of-band printer status (HOST-RESOURCES-MIB / Printer-MIB over UDP).

Not a device driver of its own (no ``DRIVER``): a print server's SNMP agent is how a network
printer driver (``kioskhub.drivers.escp``) sees paper-out and off-line, which its AppSocket (TCP 9100)
data channel cannot carry. ``protocol`` is the sans-IO SNMP message codec (on ``ber``, the
BER items it is made of), ``client.snmp_get`` the asyncio UDP GET.
"""
