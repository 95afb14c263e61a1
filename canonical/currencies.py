"""ISO 4217 alphabetic codes of the currencies in use, bundled so validation needs no network.

Kept to currencies a retailer can be paid or invoiced in: fund codes that banks quote (BOV, CHE,
CHW, CLF, COU, MXV, USN, UYI, UYW) are kept because ERPs do emit them; precious metals (XAU…),
special drawing rights (XDR, XSU, XUA), bond units (XBA…XBD) and the test/none codes (XTS, XXX)
are left out on purpose. Withdrawn codes are out too: HRK (2023, now EUR), SLL (now SLE), ZWL
(now ZWG), ANG (2025, now XCG), BGN (2026, now EUR), CUC. A payload that still carries one of them
is a mapping problem to fix at the source, not a value to pass through silently.
"""

from __future__ import annotations

# Sorted, ten per line, so a review diff shows exactly which code came or went.
_TABLE = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM
    BBD BDT BHD BIF BMD BND BOB BOV BRL BSD
    BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF
    CLP CNY COP COU CRC CUP CVE CZK DJF DKK
    DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
    GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF
    IDR ILS INR IQD IRR ISK JMD JOD JPY KES
    KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
    LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT
    MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD
    NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP
    PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
    SCR SDG SEK SGD SHP SLE SOS SRD SSP STN
    SVC SYP SZL THB TJS TMT TND TOP TRY TTD
    TWD TZS UAH UGX USD USN UYI UYU UYW UZS
    VED VES VND VUV WST XAF XCD XCG XOF XPF
    YER ZAR ZMW ZWG
"""

ACTIVE_CURRENCY_CODES: frozenset[str] = frozenset(_TABLE.split())
